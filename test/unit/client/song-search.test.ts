// Finding a song from what a person typed: ids, titles, case, suggestions, completions, bad input.
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../src/catalog/types.js';
import { checkQuery, completeSong, findSong, MAX_QUERY_CHARS, suggestSongs } from '../../../src/client/song-search.js';

const SHA = 'a'.repeat(64);
const song = (id: string, title: string, artist = 'Some Artist') => ({
  id,
  title,
  artist,
  durationSec: 200,
  bitrateKbps: 128,
  bytes: 1000,
  sha256: SHA,
  servers: ['s1'],
});

const catalog: Catalog = {
  servers: [{ id: 's1', host: 'localhost', port: 5000 }],
  songs: [
    song('song1', 'Harbor Lights at Dawn', 'The Paper Lanterns'),
    song('song2', 'Static on the Wire', 'Mara Quell'),
    song('song3', 'Copper Sky'),
    song('song4', 'Café Noir'),
    song('twin-a', 'Same Title', 'Artist A'),
    song('twin-b', 'Same Title', 'Artist B'),
  ],
};

const idOf = (match: ReturnType<typeof findSong>) => (match.kind === 'found' ? match.song.id : match.kind);

describe('findSong', () => {
  it('finds a song by its id, ignoring case', () => {
    expect(findSong(catalog, 'song2')).toMatchObject({ kind: 'found', by: 'id', song: { id: 'song2' } });
    expect(idOf(findSong(catalog, 'SONG2'))).toBe('song2');
  });

  it('finds a song by its title, ignoring case and extra spaces', () => {
    expect(findSong(catalog, 'static on the wire')).toMatchObject({ kind: 'found', by: 'title', song: { id: 'song2' } });
    expect(idOf(findSong(catalog, '  COPPER   sky '))).toBe('song3');
  });

  it('finds a song by "artist - title", the name its download is saved under', () => {
    expect(findSong(catalog, 'mara quell - static on the wire')).toMatchObject({ kind: 'found', by: 'artist-title', song: { id: 'song2' } });
  });

  it('matches a Unicode title typed in either normal form', () => {
    const decomposed = 'Cafe\u0301 noir'; // e + combining acute accent
    expect(idOf(findSong(catalog, decomposed))).toBe('song4');
  });

  it('reports two songs with the same title as ambiguous, listing both', () => {
    const match = findSong(catalog, 'same title');
    expect(match.kind).toBe('ambiguous');
    if (match.kind === 'ambiguous') expect(match.songs.map((s) => s.id)).toEqual(['twin-a', 'twin-b']);
  });

  it('suggests the closest ids and titles when nothing matches', () => {
    const typo = findSong(catalog, 'Statik on the Wire');
    expect(typo.kind).toBe('unknown');
    if (typo.kind === 'unknown') expect(typo.suggestions[0]?.id).toBe('song2');
    const wrongId = findSong(catalog, 'song9');
    if (wrongId.kind !== 'unknown') throw new Error('expected unknown');
    expect(wrongId.suggestions.map((s) => s.id)).toEqual(expect.arrayContaining(['song1', 'song2']));
    expect(wrongId.suggestions.length).toBeLessThanOrEqual(3);
  });

  it('suggests a title that contains what was typed', () => {
    expect(suggestSongs(catalog, 'lights').map((s) => s.id)).toContain('song1');
  });

  it('suggests nothing for text unlike any song', () => {
    expect(suggestSongs(catalog, 'zzzzzzzzzzzzzzzzzzzz')).toEqual([]);
  });
});

describe('completeSong', () => {
  it('completes ids and titles from a prefix, ignoring case but keeping what was typed', () => {
    expect(completeSong(catalog, 'song')).toEqual(['song1', 'song2', 'song3', 'song4']);
    expect(completeSong(catalog, 'cop')).toEqual(['copper Sky']);
    expect(completeSong(catalog, 'Static')).toEqual(['Static on the Wire']);
  });

  it('offers nothing for a prefix no song has', () => {
    expect(completeSong(catalog, 'xyz')).toEqual([]);
  });
});

describe('checkQuery', () => {
  it('accepts a name, trimmed and with inner white space collapsed', () => {
    expect(checkQuery('  Copper   Sky ')).toEqual({ ok: true, query: 'Copper Sky' });
  });

  it('rejects an empty or blank line', () => {
    expect(checkQuery('')).toEqual({ ok: false, problem: { kind: 'empty' } });
    expect(checkQuery('   ')).toEqual({ ok: false, problem: { kind: 'empty' } });
  });

  it('rejects a line longer than a song name can be, saying how long it was', () => {
    expect(checkQuery('x'.repeat(10_240))).toEqual({ ok: false, problem: { kind: 'too-long', length: 10_240, max: MAX_QUERY_CHARS } });
  });

  it('rejects control characters, naming them escaped', () => {
    expect(checkQuery('bell\x07 and \x1b[2J')).toEqual({ ok: false, problem: { kind: 'control-characters', characters: ['\\x07', '\\x1b'] } });
    expect(checkQuery('Copper\tSky')).toEqual({ ok: false, problem: { kind: 'control-characters', characters: ['\\x09'] } });
  });

  it('accepts Unicode text', () => {
    expect(checkQuery('Ünïcödé ☃ 歌')).toEqual({ ok: true, query: 'Ünïcödé ☃ 歌' });
  });
});
