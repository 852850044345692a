// The end-to-end tests' plugins: the demo plugin (test/e2e/fixtures/demo-plugin.c) compiled with
// clang to wasm32-wasi, one binary per command, as a folder and as a zip a person would drop.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yazl from 'yazl';

const SOURCE = resolve(import.meta.dirname, '..', 'fixtures', 'demo-plugin.c');
const MODES = {
  hello: ['MODE_HELLO'],
  greet: ['MODE_HELLO', 'NO_EXEC'],
  flood: ['MODE_FLOOD'],
  spin: ['MODE_SPIN'],
} as const;
export type DemoCommand = keyof typeof MODES;

/** Compiles each command's binary once into `dir`; returns name -> bytes. */
export function compileDemo(dir: string): Record<DemoCommand, Uint8Array> {
  mkdirSync(dir, { recursive: true });
  const out = {} as Record<DemoCommand, Uint8Array>;
  for (const [name, defines] of Object.entries(MODES) as [DemoCommand, readonly string[]][]) {
    const file = join(dir, `${name}.wasm`);
    const flags = defines.map((d) => `-D${d}`);
    execFileSync('clang', ['--target=wasm32-wasi', '-O2', ...flags, SOURCE, '-o', file], { stdio: 'pipe' });
    out[name] = readFileSync(file);
  }
  return out;
}

export interface DemoSpec {
  name?: string;
  version?: string;
  description?: string;
  /** The [capabilities] table's lines, e.g. ['filesystem = "plugin"', 'store = true']. */
  capabilities?: string[];
  commands?: DemoCommand[];
  build?: string;
  /** Command names other than the binaries' (a second plugin must not reuse the first one's names). */
  rename?: Partial<Record<DemoCommand, string>>;
}

export function demoToml(spec: DemoSpec = {}): string {
  const name = spec.name ?? 'demo';
  const commands = spec.commands ?? ['hello', 'flood', 'spin'];
  const describe: Record<DemoCommand, string> = {
    hello: 'Says hello, asks two questions and looks at your README',
    greet: 'Says hello and asks your name',
    flood: 'Writes a great many lines of output',
    spin: 'Never stops on its own',
  };
  return [
    '[plugin]',
    `name = "${name}"`,
    `version = "${spec.version ?? '1.0.0'}"`,
    `description = "${spec.description ?? 'A friendly plugin that shows what Fledge can do'}"`,
    'author = "The Fledge team"',
    'protocol = "fledge-v1"',
    'runtime = "wasm"',
    '',
    ...commands.flatMap((c) => {
      const as = spec.rename?.[c] ?? c;
      return [
        '[[commands]]',
        `name = "${as}"`,
        `description = "${describe[c]}"`,
        `binary = "bin/${as}.wasm"`,
        '',
      ];
    }),
    ...(spec.build ? ['[hooks]', `build = "${spec.build}"`, ''] : []),
    '[capabilities]',
    ...(spec.capabilities ?? ['filesystem = "plugin"', 'store = true', 'exec = true']),
    '',
  ].join('\n');
}

/** The plugin's files: plugin.toml and bin/<command>.wasm. */
export function demoFiles(
  bins: Record<DemoCommand, Uint8Array>,
  spec: DemoSpec = {},
): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = {
    'plugin.toml': demoToml(spec),
    'README.md': '# demo\n',
  };
  for (const c of spec.commands ?? ['hello', 'flood', 'spin'])
    files[`bin/${spec.rename?.[c] ?? c}.wasm`] = bins[c];
  return files;
}

/** A zip holding `files` (entry names exactly as given, so a test can also make a hostile one). */
export function zipOf(files: Record<string, string | Uint8Array>): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(files))
      zip.addBuffer(Buffer.from(content), name, { mtime: new Date(2026, 0, 1) });
    zip.end();
    const parts: Buffer[] = [];
    zip.outputStream.on('data', (b: Buffer) => parts.push(b));
    zip.outputStream.on('end', () => resolvePromise(Buffer.concat(parts)));
    zip.outputStream.on('error', reject);
  });
}

/** A zip whose entry climbs out of the folder it is unpacked into (zip-slip). yazl refuses such names, so the name is patched in. */
export async function zipSlip(bins: Record<DemoCommand, Uint8Array>): Promise<Buffer> {
  const files = demoFiles(bins, { commands: ['hello'] });
  const placeholder = 'xx/evil.txt';
  const zip = await zipOf({ ...files, [placeholder]: 'gotcha' });
  const target = Buffer.from('../evil.txt');
  let at = zip.indexOf(placeholder);
  while (at !== -1) {
    target.copy(zip, at);
    at = zip.indexOf(placeholder, at + 1);
  }
  return zip;
}

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
