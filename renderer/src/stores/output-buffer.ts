// A run's output text, kept outside React: the terminal reads it as it arrives (with flow control),
// and a tab opened later replays it. Capped so a flood cannot eat the window's memory.
export const OUTPUT_CAP_CHARS = 64 * 1024 * 1024;

export class OutputBuffer {
  private chunks: string[] = [];
  private listeners = new Set<(chunk: string) => void>();
  chars = 0;
  lines = 0;
  dropped = 0;

  append(text: string): void {
    if (text.length === 0) return;
    if (this.chars + text.length > OUTPUT_CAP_CHARS) {
      this.dropped += text.length;
      return;
    }
    this.chunks.push(text);
    this.chars += text.length;
    let i = text.indexOf('\n');
    while (i !== -1) {
      this.lines++;
      i = text.indexOf('\n', i + 1);
    }
    for (const l of this.listeners) l(text);
  }

  /** Everything so far, then each new chunk; returns the unsubscribe. */
  attach(listener: (chunk: string) => void): () => void {
    for (const c of this.chunks) listener(c);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  text(): string {
    return this.chunks.join('');
  }
}
