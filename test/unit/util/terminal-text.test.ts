import { describe, expect, it } from 'vitest';
import { escapeForTerminal, hasUnsafeTerminalText } from '../../../src/util/terminal-text.js';

describe('escapeForTerminal', () => {
  it('shows an escape sequence that would set the window title and clear the screen as text', () => {
    const tag = 'Song\u001b]0;pwned\u0007\u001b[2J';
    const shown = escapeForTerminal(tag);
    expect(shown).toBe('Song\\x1b]0;pwned\\x07\\x1b[2J');
    expect(hasUnsafeTerminalText(shown)).toBe(false);
  });

  it('escapes C1 controls, DEL, newlines and bidirectional overrides', () => {
    expect(escapeForTerminal('a\u009bb\u007fc\nd\u202ee')).toBe('a\\x9bb\\x7fc\\x0ad\\u{202e}e');
  });

  it('leaves ordinary text, accents and emoji unchanged', () => {
    const text = 'Café del Mar – Ólafur 🎵 日本';
    expect(escapeForTerminal(text)).toBe(text);
    expect(hasUnsafeTerminalText(text)).toBe(false);
  });
});
