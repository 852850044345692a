"""Runs a WASI command under Wasmtime (the `wasmtime` PyPI package), configured as the fledge CLI
configures its engine: fuel metering and epoch interruption on, the module precompiled once (as the
CLI's .cwasm cache) and deserialised per run. Prints one JSON line per run:
{"ms": wall ms of deserialise + instantiate + _start, "cpuMs": CPU ms of _start alone, "fuel": fuel
consumed, "code": exit code}. With --no-metering (before MODULE), fuel and epochs are off: what
Wasmtime's own metering costs.

usage: wasmtime_run.py [--no-metering] MODULE.wasm RUNS [ARGS...]   (exit 3 when the package is missing)
"""
import json
import os
import sys
import tempfile
import threading
import time

try:
    import wasmtime
except ImportError:
    print(json.dumps({"missing": "the wasmtime Python package (pip install wasmtime)"}))
    sys.exit(3)

FUEL = 2**62  # the budget does not change the cost of metering; big enough for every program


def main() -> None:
    argv = sys.argv[1:]
    metering = argv[0] != "--no-metering"
    if not metering:
        argv = argv[1:]
    path, runs, args = argv[0], int(argv[1]), argv[2:]
    config = wasmtime.Config()
    config.consume_fuel = metering
    config.epoch_interruption = metering
    engine = wasmtime.Engine(config)
    # The CLI's wall clock: the epoch is bumped once after 60 s.
    ticker = threading.Timer(60.0, engine.increment_epoch)
    ticker.daemon = True
    ticker.start()
    cwasm = os.path.join(tempfile.gettempdir(), f"fledge-bench-{os.path.basename(path)}-{os.path.getmtime(path)}{'' if metering else '-plain'}.cwasm")
    if not os.path.exists(cwasm):
        module = wasmtime.Module.from_file(engine, path)
        with open(cwasm + ".tmp", "wb") as f:
            f.write(module.serialize())
        os.replace(cwasm + ".tmp", cwasm)
    for _ in range(runs):
        t0 = time.perf_counter()
        module = wasmtime.Module.deserialize_file(engine, cwasm)
        store = wasmtime.Store(engine)
        if metering:
            store.set_fuel(FUEL)
            store.set_epoch_deadline(1)
        wasi = wasmtime.WasiConfig()
        wasi.argv = [os.path.basename(path), *args]
        out = tempfile.TemporaryFile()
        wasi.stdout_file = f"/proc/self/fd/{out.fileno()}"
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, module)
        code = 0
        c0 = time.process_time()
        try:
            instance.exports(store)["_start"](store)
        except wasmtime.ExitTrap as e:
            code = e.code
        cpu_ms = (time.process_time() - c0) * 1000
        ms = (time.perf_counter() - t0) * 1000
        fuel = FUEL - store.get_fuel() if metering else 0
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        print(json.dumps({"ms": ms, "cpuMs": cpu_ms, "fuel": fuel, "code": code, "stdout": text[-200:]}), flush=True)


main()
