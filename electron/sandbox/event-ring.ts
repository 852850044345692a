// The event ring: a SharedArrayBuffer the worker appends serialised events to, and the controller
// drains (on a short timer, when the worker asks, and before any other message from the worker).
// A busy plugin therefore never holds events back: the controller picks them up even while the wasm
// runs, and a burst costs one IPC message per drain, not one per event.
//
// Layout: `bytes` (a power of two) holds records `<event JSON>,` back to back; `index` holds two
// uint32 byte counters (written, read) that wrap around 2^32, and a count of the events too big
// for the ring that went as their own message. A record is never split at the end
// of the ring: the rest of the ring is filled with spaces (JSON whitespace) and the record starts
// again at 0, so each contiguous region decodes on its own. Both counters only move forward.

export const RING_BYTES = 1 << 20;
const WRITTEN = 0;
const READ = 1;
/** Counts events sent outside the ring (too big for it) that the controller has passed on. */
const BIG_DONE = 2;
const SPACE = 0x20;

export interface RingBuffers {
  bytes: SharedArrayBuffer;
  index: SharedArrayBuffer;
}

export function createRing(size = RING_BYTES): RingBuffers {
  return { bytes: new SharedArrayBuffer(size), index: new SharedArrayBuffer(12) };
}

type FastBuffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/** The worker's end. */
export class RingWriter {
  private readonly buf: FastBuffer;
  private readonly index: Int32Array;
  private readonly size: number;
  private written = 0;

  constructor(ring: RingBuffers) {
    this.buf = Buffer.from(ring.bytes) as FastBuffer;
    this.index = new Int32Array(ring.index);
    this.size = this.buf.length;
  }

  /** The largest record it takes; bigger events go another way. */
  get maxRecordChars(): number {
    return Math.floor(this.size / 8);
  }

  /** Appends `json` + ','. Blocks (calling `full` first) while the controller has not made room. */
  append(json: string, full: () => void): void {
    const need = json.length * 3 + 1; // UTF-8 worst case
    let pos = this.written & (this.size - 1);
    const tail = this.size - pos;
    const pad = need > tail ? tail : 0;
    while (this.free() < pad + need) {
      full();
      const read = Atomics.load(this.index, READ);
      if (this.free() < pad + need) Atomics.wait(this.index, READ, read, 100);
    }
    if (pad > 0) {
      this.buf.fill(SPACE, pos, this.size);
      this.written = (this.written + pad) >>> 0;
      pos = 0;
    }
    const n = this.buf.utf8Write(json, pos, need);
    this.buf[pos + n] = 0x2c; // ','
    this.written = (this.written + n + 1) >>> 0;
    Atomics.store(this.index, WRITTEN, this.written | 0);
  }

  /**
   * Sends an event too big for the ring by `post`, and waits until the controller has passed it on:
   * the controller drains the ring before it, and nothing written after it can overtake it.
   */
  sendOutside(post: () => void): void {
    const seen = Atomics.load(this.index, BIG_DONE);
    post();
    while (Atomics.load(this.index, BIG_DONE) === seen) Atomics.wait(this.index, BIG_DONE, seen, 100);
  }

  /** Whether the controller has read everything. */
  get drained(): boolean {
    return Atomics.load(this.index, READ) >>> 0 === this.written;
  }

  private free(): number {
    return this.size - ((this.written - (Atomics.load(this.index, READ) >>> 0)) >>> 0);
  }
}

/** The controller's end. */
export class RingReader {
  private readonly buf: Buffer;
  private readonly index: Int32Array;
  private readonly size: number;

  constructor(ring: RingBuffers) {
    this.buf = Buffer.from(ring.bytes);
    this.index = new Int32Array(ring.index);
    this.size = this.buf.length;
  }

  /** Tells the worker an event sent outside the ring has been passed on. */
  outsideDone(): void {
    Atomics.add(this.index, BIG_DONE, 1);
    Atomics.notify(this.index, BIG_DONE);
  }

  /** Everything written since the last drain, as a JSON array text, or null if nothing was. */
  drain(): string | null {
    const written = Atomics.load(this.index, WRITTEN) >>> 0;
    const read = Atomics.load(this.index, READ) >>> 0;
    const len = (written - read) >>> 0;
    if (len === 0) return null;
    const pos = read & (this.size - 1);
    let text: string;
    if (pos + len <= this.size) text = this.buf.toString('utf8', pos, pos + len);
    else
      text = this.buf.toString('utf8', pos, this.size) + this.buf.toString('utf8', 0, pos + len - this.size);
    Atomics.store(this.index, READ, written | 0);
    Atomics.notify(this.index, READ);
    const last = text.lastIndexOf(',');
    return last < 0 ? null : `[${text.slice(0, last)}]`;
  }
}
