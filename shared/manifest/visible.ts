// Text from a plugin (a build hook command, a name) shown to a person who must judge it: every
// character that could hide or rearrange what is shown (C0/C1 controls such as CR and ESC, which
// let a terminal overwrite a line; zero-width and bidirectional formatting characters) is written
// as a visible escape, so what is displayed is exactly, and visibly, what will run.

const HIDDEN =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

export function visibleText(text: string): string {
  return text.replace(HIDDEN, (ch) => NAMED[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/** True when `text` holds a character that visibleText would escape. */
export function hasHiddenCharacters(text: string): boolean {
  HIDDEN.lastIndex = 0;
  const found = HIDDEN.test(text);
  HIDDEN.lastIndex = 0;
  return found;
}
