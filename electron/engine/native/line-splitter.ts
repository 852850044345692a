// Splits a byte stream (a native plugin's stdout or stderr) into lines, holding at most one partial
// line of bounded size: a line longer than the limit is cut into pieces (stderr) or dropped up to its
// end (stdout, where a cut JSON message is useless). Nothing else is buffered: the stream is read only
// as fast as lines are handed on, so a flood holds back the plugin instead of filling memory.

export interface LineSplitterOptions {
  /** The longest line kept, in bytes. */
  maxLineBytes: number;
  /** 'cut': a longer line is passed on in pieces of maxLineBytes; 'drop': it is skipped, and reported. */
  overlong: 'cut' | 'drop';
  /** Called with each complete line (without its newline; a trailing \r is kept). */
  onLine: (line: string) => void;
  /** Called once for each dropped line ('drop' mode) with its length so far. */
  onDropped?: (bytes: number) => void;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** Skipping the rest of an overlong line (drop mode). */
  private dropping = false;
  private droppedBytes = 0;
  /** The most bytes ever held as a partial line (for tests and diagnostics). */
  peakHeldBytes = 0;

  constructor(private readonly options: LineSplitterOptions) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, at);
      const end = nl === -1 ? chunk.length : nl;
      this.take(chunk.subarray(at, end));
      if (nl === -1) break;
      this.endLine();
      at = nl + 1;
    }
  }

  /** The stream ended: a last line without a newline is passed on. */
  end(): void {
    if (this.size > 0 || this.dropping) this.endLine();
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    const max = this.options.maxLineBytes;
    if (this.dropping) {
      this.droppedBytes += piece.length;
      return;
    }
    if (this.size + piece.length <= max) {
      this.parts.push(piece);
      this.size += piece.length;
      this.peakHeldBytes = Math.max(this.peakHeldBytes, this.size);
      return;
    }
    if (this.options.overlong === 'drop') {
      this.dropping = true;
      this.droppedBytes = this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    // 'cut': fill the line up to max, pass it on, go on with the rest.
    let rest = piece;
    while (this.size + rest.length > max) {
      const room = max - this.size;
      this.parts.push(rest.subarray(0, room));
      this.size += room;
      this.peakHeldBytes = Math.max(this.peakHeldBytes, this.size);
      this.flushLine();
      rest = rest.subarray(room);
    }
    if (rest.length > 0) {
      this.parts.push(rest);
      this.size += rest.length;
    }
  }

  private endLine(): void {
    if (this.dropping) {
      this.dropping = false;
      this.options.onDropped?.(this.droppedBytes);
      this.droppedBytes = 0;
      return;
    }
    this.flushLine();
  }

  private flushLine(): void {
    const line =
      this.parts.length === 1 ? this.parts[0]!.toString('utf8') : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.options.onLine(line);
  }
}
