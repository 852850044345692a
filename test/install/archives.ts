// Builds test archives at test time: zips with yazl (byte-patched where yazl itself refuses to write
// something hostile, such as a `..` path), tars with tar-stream.
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import yazl from 'yazl';

export interface ZipItem {
  name: string;
  data?: Buffer | string;
  mode?: number;
  dir?: boolean;
}

export async function makeZip(
  path: string,
  items: ZipItem[],
  rename?: Record<string, string>,
): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const it of items) {
    if (it.dir) zip.addEmptyDirectory(it.name, it.mode !== undefined ? { mode: it.mode } : {});
    else zip.addBuffer(Buffer.from(it.data ?? ''), it.name, it.mode !== undefined ? { mode: it.mode } : {});
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
  if (rename) {
    // Same-length replacement of names in the local headers and the central directory.
    let buf = await readFile(path);
    for (const [from, to] of Object.entries(rename)) {
      if (from.length !== to.length) throw new Error('rename must keep the length');
      let at = buf.indexOf(from);
      if (at < 0) throw new Error(`${from} not found`);
      while (at >= 0) {
        buf.write(to, at, 'latin1');
        at = buf.indexOf(from, at + 1);
      }
      buf = Buffer.from(buf);
    }
    await writeFile(path, buf);
  }
}

export interface TarItem {
  name: string;
  data?: Buffer | string;
  type?: tarStream.Header['type'];
  linkname?: string;
  mode?: number;
}

export async function makeTar(path: string, items: TarItem[], gzip = true): Promise<void> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const it of items) {
    const header: Partial<tarStream.Header> & { name: string } = {
      name: it.name,
      type: it.type ?? 'file',
      mode: it.mode ?? 0o644,
    };
    if (it.linkname) header.linkname = it.linkname;
    if (header.type === 'file') pack.entry(header, Buffer.from(it.data ?? ''));
    else pack.entry({ ...header, size: 0 });
  }
  pack.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  await writeFile(path, gzip ? gzipSync(tar) : tar);
}

export const MANIFEST = `[plugin]
name = "demo"
version = "0.1.0"
runtime = "native"

[[commands]]
name = "demo"
binary = "bin/demo.sh"
`;

export function manifestVersion(version: string): string {
  return MANIFEST.replace('0.1.0', version);
}
