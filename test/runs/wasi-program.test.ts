// RunManager.startWasiProgram: a plain WASI command run through the sandbox path plugins use
// (pooled sandbox process, fuel metering, memory cap, worker thread, our WASI), with its exact
// output, exit code and mounts; and without the fledge imports.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runs, wat2wasm } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';

const PROGRAM = String.raw`
#include <stdio.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("arg %d=%s\n", i, argv[i]);
  for (char **e = environ; *e; e++) printf("env %s\n", *e);
  FILE *f = fopen("/made/by-guest.txt", "w");
  if (!f) return 9;
  fputs("written inside /", f);
  fclose(f);
  fflush(stdout);
  write(1, "raw \x00\xff\xfe end", 11); /* a NUL and bytes that are not UTF-8; no newline */
  fputs("err without newline", stderr);
  return 3;
}
`;

function compile(dir: string): string {
  writeFileSync(join(dir, 'program.c'), PROGRAM);
  const out = join(dir, 'program.wasm');
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', join(dir, 'program.c'), '-o', out], {
    stdio: 'pipe',
  });
  return out;
}

describe('RunManager.startWasiProgram', () => {
  it('runs a WASI command metered, with args, exact env, a read-write / mount and exact output bytes', async () => {
    const bin = tempDir('wasi-program-bin');
    const root = tempDir('wasi-program-root');
    execFileSync('mkdir', [join(root, 'made')]);
    const binary = compile(bin);
    const end = await runs().startWasiProgram({
      binary,
      args: ['one', 'two words'],
      env: { B: '2', A: 'x=y' },
      mounts: [{ guestPath: '/', hostPath: root, readOnly: false }],
    }).ended;
    expect([end.reason, end.message]).toEqual(['exit', "Program 'program.wasm' exited with code 3."]);
    expect(end.code).toBe(3);
    expect(end.message).toBe("Program 'program.wasm' exited with code 3.");
    const expected = Buffer.concat([
      Buffer.from('arg 0=program.wasm\narg 1=one\narg 2=two words\nenv B=2\nenv A=x=y\n'),
      Buffer.from([0x72, 0x61, 0x77, 0x20, 0x00, 0xff, 0xfe, 0x20, 0x65, 0x6e, 0x64]),
    ]);
    expect(Buffer.from(end.stdout)).toEqual(expected);
    expect(Buffer.from(end.stderr).toString('latin1')).toBe('err without newline');
    expect(readFileSync(join(root, 'made', 'by-guest.txt'), 'utf8')).toBe('written inside /');
    expect(end.fuelUsed).toBeGreaterThan(0);
    // Prepared in memory: nothing was written beside the binary.
    expect(readdirSync(bin).sort()).toEqual(['program.c', 'program.wasm']);
  });

  it('ends with the exit code 0 when _start returns, and stops at the fuel budget', async () => {
    const ok = await wat2wasm(`(module (memory (export "memory") 1) (func (export "_start")))`);
    const spin = await wat2wasm(
      `(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))`,
    );
    const dir = tempDir('wasi-program-wat');
    writeFileSync(join(dir, 'ok.wasm'), ok);
    writeFileSync(join(dir, 'spin.wasm'), spin);
    const a = await runs().startWasiProgram({ binary: join(dir, 'ok.wasm') }).ended;
    expect([a.reason, a.code, a.stdout.length, a.stderr.length]).toEqual(['exit', 0, 0, 0]);
    const b = await runs().startWasiProgram({ binary: join(dir, 'spin.wasm'), limits: { fuel: 100_000n } })
      .ended;
    expect(b.reason).toBe('fuel');
    expect(b.fuelUsed).toBe(100_000);
    expect(existsSync(join(dir, 'spin.wasm.fuel.wasm'))).toBe(false);
  });

  it('refuses a module that imports the fledge host interface', async () => {
    const wasm = await wat2wasm(`(module
      (import "fledge" "send" (func (param i32 i32)))
      (memory (export "memory") 1) (func (export "_start")))`);
    const dir = tempDir('wasi-program-fledge');
    writeFileSync(join(dir, 'plugin.wasm'), wasm);
    const end = await runs().startWasiProgram({ binary: join(dir, 'plugin.wasm') }).ended;
    expect(end.reason).toBe('error');
    expect(end.message).toMatch(/imports the fledge host interface \(fledge\.send\)/);
  });

  it('refuses an import that is not part of wasi_snapshot_preview1, naming it', async () => {
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "not_a_call" (func))
      (memory (export "memory") 1) (func (export "_start")))`);
    const dir = tempDir('wasi-program-unknown');
    writeFileSync(join(dir, 'unknown.wasm'), wasm);
    const end = await runs().startWasiProgram({ binary: join(dir, 'unknown.wasm') }).ended;
    expect(end.reason).toBe('error');
    expect(end.message).toMatch(/wasi_snapshot_preview1\.not_a_call/);
  });
});
