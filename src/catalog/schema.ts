// Validation of catalog.json: every problem reported at once, each with its key path.
import { z } from 'zod';
import { SONG_ID_PATTERN } from '../protocol/constants.js';
import type { Catalog } from './types.js';

/** MPEG-1 Layer III bitrates: the only ones a generated or real MP3 can have. */
export const MPEG1_L3_BITRATES_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;

const serverSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'expected a server id like s1'),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
});

const songSchema = z.object({
  id: z.string().regex(SONG_ID_PATTERN, 'expected a song id matching ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  title: z.string().min(1),
  artist: z.string().min(1),
  durationSec: z.number().positive(),
  bitrateKbps: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
  servers: z.array(z.string()),
  file: z.string().min(1).optional(),
  album: z.string().optional(),
  year: z.number().int().optional(),
});

export const catalogSchema = z
  .object({
    servers: z.array(serverSchema).min(1),
    songs: z.array(songSchema),
  })
  .superRefine((catalog, ctx) => {
    const serverIds = new Set<string>();
    catalog.servers.forEach((server, i) => {
      if (serverIds.has(server.id)) ctx.addIssue({ code: 'custom', path: ['servers', i, 'id'], message: `duplicate server id ${server.id}` });
      serverIds.add(server.id);
    });
    const songIds = new Set<string>();
    catalog.songs.forEach((song, i) => {
      if (songIds.has(song.id)) ctx.addIssue({ code: 'custom', path: ['songs', i, 'id'], message: `duplicate song id ${song.id}` });
      songIds.add(song.id);
      song.servers.forEach((id, j) => {
        if (!serverIds.has(id)) {
          ctx.addIssue({ code: 'custom', path: ['songs', i, 'servers', j], message: `unknown server ${JSON.stringify(id)}; the catalog's servers are ${[...serverIds].join(', ')}` });
        }
      });
    });
  });

/** Turns zod's issues into `key.path: message` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
}

export function parseCatalog(data: unknown): { ok: true; catalog: Catalog } | { ok: false; problems: string[] } {
  const result = catalogSchema.safeParse(data);
  return result.success ? { ok: true, catalog: result.data } : { ok: false, problems: describeIssues(result.error) };
}
