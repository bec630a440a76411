// Values and keys from a scenario file as an error message shows them: short, on one line, with
// no character that could drive a terminal, and never by walking the whole value (a YAML alias can
// make it huge or make it refer to itself).
import { escapeForTerminal } from '../util/terminal-text.js';

/** Characters of a text value or key shown before "…": enough to recognise it. */
const SHOWN_TEXT_CHARS = 80;
/** Keys of a map named when a map is shown where something else was expected. */
const SHOWN_MAP_KEYS = 4;

function clip(text: string): string {
  return text.length > SHOWN_TEXT_CHARS ? `${text.slice(0, SHOWN_TEXT_CHARS)}…` : text;
}

/** A text value quoted: `"abc"`, escapes visible, long texts clipped. */
export function shownText(text: string): string {
  return escapeForTerminal(JSON.stringify(clip(text)));
}

/** A key path segment: plain when it is a plain word, quoted otherwise. */
export function shownKey(key: PropertyKey): string {
  const text = String(key);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/.test(text) ? text : shownText(text);
}

/** What was found, as "got …" ends: `"ten"`, `1e+21`, `NaN (not a number)`, `a list of 3 items`. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (nothing)';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN (not a number)' : String(value);
  if (typeof value === 'string') return shownText(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return `binary data (${value.length} bytes)`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : `the date ${value.toISOString()}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value instanceof Map || value instanceof Set) return `a ${value instanceof Map ? 'map' : 'set'} of ${value.size}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty map';
    const named = keys.slice(0, SHOWN_MAP_KEYS).map(shownKey).join(', ');
    return `a map (${named}${keys.length > SHOWN_MAP_KEYS ? `, … ${keys.length} keys` : ''})`;
  }
  return typeof value;
}
