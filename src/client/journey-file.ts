// A download's file: written to `<file>.part`, renamed into place once verified, removed on
// failure; and the file's name, `<artist> - <title>.mp3`, made safe for any file system.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CatalogSong } from '../catalog/types.js';
import type { TransferSink } from './transfer.js';

/** Where downloads go, relative to the current directory. */
export const DEFAULT_DOWNLOAD_DIR = 'downloads';
/** File systems allow 255 bytes per name; leave room for `.part` and the extension. */
const MAX_FILE_NAME_BYTES = 200;
const PART_SUFFIX = '.part';

/**
 * A download written to `<file>.part` and renamed only once verified, so that a file with the
 * song's name is always the whole, verified song; a failed transfer leaves no file behind.
 */
export class PartFile {
  private writeError: Error | undefined;

  private constructor(
    readonly file: string,
    private readonly stream: WriteStream,
  ) {
    stream.on('error', (err) => (this.writeError ??= err));
  }

  static async open(file: string): Promise<PartFile> {
    await mkdir(dirname(file), { recursive: true });
    const stream = createWriteStream(file + PART_SUFFIX);
    await new Promise<void>((resolveOpen, reject) => {
      stream.once('open', () => {
        stream.off('error', reject);
        resolveOpen();
      });
      stream.once('error', reject);
    });
    return new PartFile(file, stream);
  }

  get sink(): TransferSink {
    return this.stream;
  }

  /** Flushes and renames into place; throws if any write failed. */
  async keep(): Promise<void> {
    await this.drained();
    await this.end();
    if (this.writeError) throw this.writeError;
    await rename(this.file + PART_SUFFIX, this.file);
  }

  async discard(): Promise<void> {
    await this.drained();
    await this.end().catch(noop);
    await rm(this.file + PART_SUFFIX, { force: true });
  }

  /**
   * transferSong pauses the connection when a write says "wait for drain" and resumes it on
   * 'drain'. Ending the file first would swallow that 'drain' and leave the kept connection
   * paused, its next answer never read: so the drain comes first.
   */
  private async drained(): Promise<void> {
    if (this.stream.writableNeedDrain && !this.stream.destroyed) await once(this.stream, 'drain').catch(noop);
  }

  private end(): Promise<void> {
    if (this.stream.closed) return Promise.resolve();
    return new Promise((resolveEnd, reject) => {
      this.stream.end(() => (this.writeError ? reject(this.writeError) : resolveEnd()));
    });
  }
}

// Characters no common file system accepts in a name, and control characters.
const UNSAFE_IN_FILE_NAME = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;
// Names Windows reserves whatever the extension.
const RESERVED_NAME = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** `<artist> - <title>.mp3`, made safe for any file system: no separators, no control characters, bounded length. */
export function downloadFileName(song: Pick<CatalogSong, 'id' | 'artist' | 'title'>): string {
  let base = `${song.artist} - ${song.title}`.normalize('NFC').replace(UNSAFE_IN_FILE_NAME, '_').replace(/\s+/g, ' ');
  base = base.replace(/^[\s.]+|[\s.]+$/g, '');
  if (base === '' || /^[_\s-]*$/.test(base)) base = song.id;
  if (RESERVED_NAME.test(base)) base = `_${base}`;
  return `${truncateUtf8(base, MAX_FILE_NAME_BYTES)}.mp3`;
}

/** Cuts at a code point boundary so that the name stays valid UTF-8. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out.trimEnd();
}

function noop(): void {}
