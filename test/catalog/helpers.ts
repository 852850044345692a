// What the GitHub-install tests share: a wasm plugin's files, the bundled CLI run as a real process
// WITHOUT blocking (the GitHub stand-in lives in this process and must keep answering), and a PATH
// that holds neither git nor cargo.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

const HELLO_MESSAGE = '{"type":"output","text":"hello from the release"}';
export const HELLO_WAT = `(module
  (import "fledge" "send" (func $send (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "${HELLO_MESSAGE.replaceAll('"', '\\"')}")
  (func (export "_start") (call $send (i32.const 16) (i32.const ${HELLO_MESSAGE.length}))))`;

export function helloWasm(): Promise<Uint8Array> {
  return wat2wasm(HELLO_WAT);
}

/** plugin.toml of a Rust-built wasm plugin, as `fledge plugins create --wasm` writes it. */
export function rustManifest(name: string, version = '1.0.0', caps = ''): string {
  return `[plugin]
name = "${name}"
version = "${version}"
description = "test plugin"
author = "tests"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "${name.replace(/^fledge-/, '')}"
binary = "target/wasm32-wasip1/release/${name}.wasm"

[hooks]
build = "cargo build --target wasm32-wasip1 --release"

[capabilities]
${caps}
`;
}

/** A release of a Rust-built wasm plugin that carries the built wasm (installable without Rust). */
export function wasmRelease(name: string, version: string, wasm: Uint8Array, caps = '') {
  return {
    tag: `v${version}`,
    files: { 'plugin.toml': rustManifest(name, version, caps) },
    assets: [{ name: `${name}.wasm`, content: wasm }],
  };
}

/** A folder to use as the whole PATH: nothing in it, so no git, no cargo, no rustc. */
export function emptyPath(): string {
  const dir = join(tempDir('nopath'), 'bin');
  mkdirSync(dir);
  return dir;
}

export interface AsyncCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs dist/cli.cjs with exactly `env` (plus nothing inherited but what is passed). */
export function runCliAsync(args: string[], env: Record<string, string>): Promise<AsyncCliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(repoRoot, 'dist/cli.cjs'), ...args],
      { cwd: repoRoot, env, encoding: 'utf8', timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
