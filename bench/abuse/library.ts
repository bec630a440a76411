// The library the abuse runs serve: a 4 MiB song (the slow readers' and resetters' target), a
// 300 KB one and a 1 KiB one (the well-behaved client's), as pseudo-random bytes in a temporary
// folder with their catalog.json. Deterministic: the same sizes always give the same bytes.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Catalog } from '../../src/catalog/types.js';

export const ABUSE_SERVER_ID = 's1';
export const LARGE_SONG = { id: 'large', bytes: 4 * 1024 * 1024 };
export const MEDIUM_SONG = { id: 'medium', bytes: 300_000 };
export const TINY_SONG = { id: 'tiny', bytes: 1024 };

export interface AbuseLibrary {
  dir: string;
  catalogPath: string;
  sha256: ReadonlyMap<string, string>;
  cleanup(): void;
}

export function createAbuseLibrary(): AbuseLibrary {
  const dir = mkdtempSync(join(tmpdir(), 'jukebox-abuse-'));
  const sha256 = new Map<string, string>();
  const songs = [LARGE_SONG, MEDIUM_SONG, TINY_SONG].map(({ id, bytes }) => {
    const data = pseudoRandomBytes(id, bytes);
    writeFileSync(join(dir, `${id}.bin`), data);
    const digest = createHash('sha256').update(data).digest('hex');
    sha256.set(id, digest);
    return {
      id,
      title: `Abuse ${id}`,
      artist: 'Abuse',
      durationSec: Math.max(1, Math.round(bytes / 16_000)),
      bitrateKbps: 128,
      bytes,
      sha256: digest,
      servers: [ABUSE_SERVER_ID],
      file: `${id}.bin`,
    };
  });
  const catalog: Catalog = { servers: [{ id: ABUSE_SERVER_ID, host: '127.0.0.1', port: 0 }], songs };
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(catalogPath, `${JSON.stringify(catalog, null, 2)}\n`);
  return { dir, catalogPath, sha256, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** xorshift32 seeded from the text. */
function pseudoRandomBytes(seedText: string, length: number): Buffer {
  let state = createHash('sha256').update(seedText).digest().readUInt32LE(0) || 1;
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i + 4 <= length; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out.writeUInt32LE(state >>> 0, i);
  }
  for (let i = length - (length % 4); i < length; i++) out[i] = i & 0xff;
  return out;
}
