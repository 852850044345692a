// A read-only mount refuses an open for writing AT THE OPEN (EPERM, as Wasmtime does), tried with a
// C program built against wasi-libc: its open() trims the rights it asks for to the directory's
// inheriting rights, so the mount must report them as Wasmtime does for the refusal to happen there.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runs } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';
import { hashTree, runProbe } from './helpers.js';

const PROGRAM = String.raw`
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  const char *names[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_WRONLY|O_APPEND", "O_RDONLY|O_TRUNC", "O_WRONLY|O_CREAT"};
  int flags[] = {O_RDONLY, O_WRONLY, O_RDWR, O_WRONLY | O_APPEND, O_RDONLY | O_TRUNC, O_WRONLY | O_CREAT};
  for (int i = 0; i < 6; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", argv[1], i == 5 ? "new.txt" : "file.txt");
    int fd = open(path, flags[i], 0644);
    if (fd >= 0) {
      /* what a descriptor would let the program do: write through it */
      ssize_t n = write(fd, "X", 1);
      printf("%s: fd (write %s)\n", names[i], n == 1 ? "ok" : strerror(errno));
      close(fd);
    } else {
      printf("%s: %s\n", names[i], errno == EPERM ? "EPERM" : strerror(errno));
    }
  }
  return 0;
}
`;

function build(): string {
  const dir = tempDir('ro-open-bin');
  writeFileSync(join(dir, 'ro.c'), PROGRAM);
  const out = join(dir, 'ro.wasm');
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', join(dir, 'ro.c'), '-o', out], { stdio: 'pipe' });
  return out;
}

const EXPECTED_READ_ONLY = [
  'O_RDONLY: fd (write Bad file descriptor)',
  'O_WRONLY: EPERM',
  'O_RDWR: EPERM',
  'O_WRONLY|O_APPEND: EPERM',
  'O_RDONLY|O_TRUNC: EPERM',
  'O_WRONLY|O_CREAT: EPERM',
];

describe('a read-only mount and open() from wasi-libc', () => {
  const binary = build();

  it('refuses every open for writing with EPERM at the open, and leaves the tree untouched', () => {
    const project = tempDir('ro-open-project');
    writeFileSync(join(project, 'file.txt'), 'original');
    const before = hashTree(project);
    const module = new WebAssembly.Module(readFileSync(binary));
    const run = runProbe(
      module,
      [{ guestPath: '/project', hostPath: project, readOnly: true }],
      ['/project'],
    );
    expect(run.lines).toEqual(EXPECTED_READ_ONLY);
    expect(hashTree(project)).toBe(before);
    expect(readdirSync(project)).toEqual(['file.txt']);
  });

  it('still opens for writing on a read-write mount (the change is the read-only mount only)', () => {
    const data = tempDir('ro-open-data');
    writeFileSync(join(data, 'file.txt'), 'original');
    const module = new WebAssembly.Module(readFileSync(binary));
    const run = runProbe(module, [{ guestPath: '/plugin', hostPath: data, readOnly: false }], ['/plugin']);
    expect(run.lines).toEqual([
      'O_RDONLY: fd (write Bad file descriptor)',
      'O_WRONLY: fd (write ok)',
      'O_RDWR: fd (write ok)',
      'O_WRONLY|O_APPEND: fd (write ok)',
      'O_RDONLY|O_TRUNC: fd (write Bad file descriptor)',
      'O_WRONLY|O_CREAT: fd (write ok)',
    ]);
    expect(readdirSync(data).sort()).toEqual(['file.txt', 'new.txt']);
  });

  it('refuses the same way through the sandbox run path (the project mounted read-only at /project)', async () => {
    const project = tempDir('ro-open-run');
    writeFileSync(join(project, 'file.txt'), 'original');
    const before = hashTree(project);
    const end = await runs().startWasiProgram({
      binary,
      args: ['/project'],
      mounts: [{ guestPath: '/project', hostPath: project, readOnly: true }],
    }).ended;
    expect(end.code).toBe(0);
    expect(Buffer.from(end.stdout).toString('utf8').trim().split('\n')).toEqual(EXPECTED_READ_ONLY);
    expect(hashTree(project)).toBe(before);
  });
});
