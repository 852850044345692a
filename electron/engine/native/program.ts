// What a native plugin command runs, as the fledge CLI 1.8 runs it: the command's binary from the
// plugin folder; a fledge-v1 plugin gets NO argv arguments (they travel in `init`), a plain command
// gets them on argv. On Windows a binary may be `<name>.exe`, a `.cmd`/`.bat` runs through cmd.exe,
// and a `#!` script through `sh`.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';

export interface NativeProgram {
  /** The file to execute. */
  file: string;
  args: string[];
  /** The command's binary itself (what consent pins), absolute. */
  binaryPath: string;
}

function startsWithShebang(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function nativeProgram(
  pluginDir: string,
  binary: string,
  argv: string[],
  platform: NodeJS.Platform = process.platform,
): NativeProgram {
  let binaryPath = isAbsolute(binary) ? binary : resolve(pluginDir, binary);
  if (platform !== 'win32') return { file: binaryPath, args: argv, binaryPath };
  if (!extname(binaryPath) && !existsSync(binaryPath) && existsSync(`${binaryPath}.exe`))
    binaryPath = `${binaryPath}.exe`;
  const ext = extname(binaryPath).toLowerCase();
  if (ext === '.cmd' || ext === '.bat')
    return {
      file: process.env.ComSpec ?? 'cmd.exe',
      args: ['/d', '/s', '/c', binaryPath, ...argv],
      binaryPath,
    };
  if (ext !== '.exe' && startsWithShebang(binaryPath))
    return { file: 'sh', args: [binaryPath, ...argv], binaryPath };
  return { file: binaryPath, args: argv, binaryPath };
}
