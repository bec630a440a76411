// Text from outside (catalog titles, MP3 tags, HELLO names, report fields, error texts) on its way
// to a terminal: control characters become visible escapes, so no byte of it can move the cursor,
// set the window title, clear the screen or hide what follows.

/**
 * C0 controls (tab and newline included: a one-line field must stay one line), DEL, C1 controls
 * (0x9b is CSI on some terminals), and the bidirectional overrides and isolates that can reorder
 * what a reader sees ("Trojan Source").
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every unsafe character shown as `\xNN` or `\u{NNNN}`; safe text comes back unchanged. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Whether `text` holds anything `escapeForTerminal` would change. */
export function hasUnsafeTerminalText(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}
