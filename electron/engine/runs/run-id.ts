// A run's id: unique, not secret. Whoever may see a run may see its id (runs.list hands every id to
// the renderer), so it needs no cryptographic randomness, and node:crypto is not loaded for it
// (sandbox/lazy-crypto.ts says what that saves a CLI run). The shape of a UUID v4, from Math.random
// (V8's xorshift128+, seeded per process from the OS): 122 random bits, so two runs kept in the app's
// history never share one.
export function newRunId(): string {
  const hex = (n: number) =>
    Math.floor(Math.random() * 2 ** (4 * n))
      .toString(16)
      .padStart(n, '0');
  const variant = (8 + Math.floor(Math.random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(6)}${hex(6)}`;
}
