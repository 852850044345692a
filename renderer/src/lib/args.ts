/**
 * Splits what a person typed into arguments: spaces separate, "double" or 'single' quotes keep
 * spaces together. Returns an error in words for an unclosed quote.
 */
export function splitArgs(text: string): { args: string[]; error: string | null } {
  const args: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) args.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (quote) return { args: [], error: `A quote (${quote}) is not closed.` };
  if (started) args.push(cur);
  return { args, error: null };
}
