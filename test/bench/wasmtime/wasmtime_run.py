"""Runs a WASI command under Wasmtime (the `wasmtime` PyPI package), configured as the fledge CLI
configures its engine: fuel metering and epoch interruption on, the module precompiled once (as the
CLI's .cwasm cache) and deserialised per run. Prints one JSON line per run:
{"ms": wall ms of deserialise + instantiate + _start, "fuel": fuel consumed, "code": exit code}.

usage: wasmtime_run.py MODULE.wasm RUNS [ARGS...]   (exit 3 when the package is missing)
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
    path, runs, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    config = wasmtime.Config()
    config.consume_fuel = True
    config.epoch_interruption = True
    engine = wasmtime.Engine(config)
    # The CLI's wall clock: the epoch is bumped once after 60 s.
    ticker = threading.Timer(60.0, engine.increment_epoch)
    ticker.daemon = True
    ticker.start()
    cwasm = os.path.join(tempfile.gettempdir(), f"fledge-bench-{os.path.basename(path)}-{os.path.getmtime(path)}.cwasm")
    if not os.path.exists(cwasm):
        module = wasmtime.Module.from_file(engine, path)
        with open(cwasm + ".tmp", "wb") as f:
            f.write(module.serialize())
        os.replace(cwasm + ".tmp", cwasm)
    for _ in range(runs):
        t0 = time.perf_counter()
        module = wasmtime.Module.deserialize_file(engine, cwasm)
        store = wasmtime.Store(engine)
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
        try:
            instance.exports(store)["_start"](store)
        except wasmtime.ExitTrap as e:
            code = e.code
        ms = (time.perf_counter() - t0) * 1000
        fuel = FUEL - store.get_fuel()
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        print(json.dumps({"ms": ms, "fuel": fuel, "code": code, "stdout": text[-200:]}), flush=True)


main()
