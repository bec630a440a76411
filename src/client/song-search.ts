// Finding a song from what a person typed: ids and titles, case-insensitive, with "did you mean"
// suggestions and Tab completions. Pure: a catalog and a string in, values out.
import type { Catalog, CatalogSong } from '../catalog/types.js';
import { closestWords } from '../util/suggest.js';
import { escapeForTerminal } from '../util/terminal-text.js';

/** Longer than any title: a pasted paragraph, not a song name. Checked before any search runs. */
export const MAX_QUERY_CHARS = 200;
/** How many "did you mean" songs to offer. */
export const MAX_SUGGESTIONS = 3;
/** How many Tab completions to offer at most (readline lists them all on a second Tab). */
export const MAX_COMPLETIONS = 50;

export type QueryProblem =
  | { kind: 'empty' }
  | { kind: 'too-long'; length: number; max: number }
  /** `characters` are the offending ones, escaped (`\x07`), at most a few. */
  | { kind: 'control-characters'; characters: string[] };

export type QueryCheck = { ok: true; query: string } | { ok: false; problem: QueryProblem };

export type SongMatch =
  | { kind: 'found'; song: CatalogSong; by: 'id' | 'title' | 'artist-title' }
  /** Several songs share the title typed: the id tells them apart. */
  | { kind: 'ambiguous'; songs: CatalogSong[] }
  | { kind: 'unknown'; suggestions: CatalogSong[] };

// C0 and C1 control characters (a Tab or an escape sequence is not part of a song name).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const MAX_REPORTED_CONTROLS = 3;

/** Escapes control characters (`\x07`) so that a line can be shown without the terminal acting on it: util/terminal-text's escapeForTerminal, under its older name. */
export function escapeControls(text: string): string {
  return escapeForTerminal(text);
}

/**
 * Validates and normalises a typed line: trimmed, inner white space collapsed, Unicode NFC (so that
 * an accented title typed either way matches). Empty, over-long and control-character lines are
 * problems to explain, not queries.
 */
export function checkQuery(text: string): QueryCheck {
  // Length first: a 10 KB line is rejected before anything scans it twice.
  if (text.length > MAX_QUERY_CHARS) return { ok: false, problem: { kind: 'too-long', length: text.length, max: MAX_QUERY_CHARS } };
  const controls = text.match(CONTROL);
  if (controls) {
    const characters = [...new Set(controls)].slice(0, MAX_REPORTED_CONTROLS).map(escapeControls);
    return { ok: false, problem: { kind: 'control-characters', characters } };
  }
  const query = normalise(text);
  if (query === '') return { ok: false, problem: { kind: 'empty' } };
  return { ok: true, query };
}

function normalise(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** Case- and form-insensitive key for comparing names. */
function key(text: string): string {
  return normalise(text).toLowerCase();
}

/**
 * The song a query names: its id, its title, or `artist - title` (the download file's name),
 * each case-insensitive; an exact-case id wins over another id that differs only in case.
 */
export function findSong(catalog: Catalog, query: string): SongMatch {
  const wanted = key(query);
  const exactId = catalog.songs.find((s) => s.id === query.trim());
  if (exactId) return { kind: 'found', song: exactId, by: 'id' };
  const byId = catalog.songs.find((s) => s.id.toLowerCase() === wanted);
  if (byId) return { kind: 'found', song: byId, by: 'id' };
  const byTitle = catalog.songs.filter((s) => key(s.title) === wanted);
  if (byTitle.length > 1) return { kind: 'ambiguous', songs: byTitle };
  if (byTitle[0]) return { kind: 'found', song: byTitle[0], by: 'title' };
  const byArtistTitle = catalog.songs.filter((s) => key(`${s.artist} - ${s.title}`) === wanted);
  if (byArtistTitle.length > 1) return { kind: 'ambiguous', songs: byArtistTitle };
  if (byArtistTitle[0]) return { kind: 'found', song: byArtistTitle[0], by: 'artist-title' };
  return { kind: 'unknown', suggestions: suggestSongs(catalog, query) };
}

/** The songs whose id or title is closest to the query (util/suggest's closestWords), nearest first. */
export function suggestSongs(catalog: Catalog, query: string, max = MAX_SUGGESTIONS): CatalogSong[] {
  const byName = new Map<string, CatalogSong>();
  for (const song of catalog.songs) {
    byName.set(song.id, song);
    if (!byName.has(song.title)) byName.set(song.title, song);
  }
  const words = closestWords(normalise(query), [...byName.keys()], max * 3);
  const songs: CatalogSong[] = [];
  for (const word of words) {
    const song = byName.get(word);
    if (song && !songs.includes(song)) songs.push(song);
    if (songs.length === max) break;
  }
  return songs;
}

/**
 * Tab completions for a partly typed name: every id and title that starts with it, ignoring case.
 * Each completion keeps the typed part as typed, so that readline (which completes only when the
 * candidates start with the line) extends the line rather than only listing.
 */
export function completeSong(catalog: Catalog, partial: string): string[] {
  const typed = partial.trimStart();
  const wanted = typed.toLowerCase();
  const names = new Set<string>();
  for (const song of catalog.songs) {
    for (const name of [song.id, song.title]) {
      if (name.toLowerCase().startsWith(wanted)) names.add(typed + name.slice(typed.length));
    }
  }
  return [...names].sort((a, b) => a.localeCompare(b)).slice(0, MAX_COMPLETIONS);
}
