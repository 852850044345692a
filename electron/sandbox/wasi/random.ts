// random_get: crypto random when granted, otherwise a deterministic stream
// (SHA-256 in counter mode over the seed) that is the same on every run.
import { createHash, randomFillSync } from 'node:crypto';

export type RandomSource = (out: Uint8Array) => void;

export function realRandom(): RandomSource {
  return (out) => {
    for (let off = 0; off < out.length; off += 65536) {
      randomFillSync(out.subarray(off, Math.min(out.length, off + 65536)));
    }
  };
}

export function seededRandom(seed: string): RandomSource {
  const key = createHash('sha256').update('fledge-wasi-random\0').update(seed).digest();
  let counter = 0n;
  let block = new Uint8Array(0);
  let used = 0;
  const next = (): void => {
    const ctr = Buffer.alloc(8);
    ctr.writeBigUInt64BE(counter++);
    block = createHash('sha256').update(key).update(ctr).digest();
    used = 0;
  };
  return (out) => {
    let i = 0;
    while (i < out.length) {
      if (used >= block.length) next();
      const n = Math.min(block.length - used, out.length - i);
      out.set(block.subarray(used, used + n), i);
      used += n;
      i += n;
    }
  };
}
