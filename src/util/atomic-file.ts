// Every file the tools write goes through here: written whole under a temporary name beside its
// target, flushed, then renamed into place. rename(2) within one folder is atomic, so a crash or a
// kill -9 at any moment leaves the old file or the new one, never a truncated one.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temporary names start with this, so listings (`simulate reports`) can pass over them. */
export const TEMP_PREFIX = '.tmp-';

/** The temporary name for `target`: hidden, in the same folder (rename across folders is not atomic), unique per process and call. */
function tempPathFor(target: string): string {
  tempCounter = (tempCounter + 1) % Number.MAX_SAFE_INTEGER;
  return join(dirname(target), `${TEMP_PREFIX}${basename(target)}.${process.pid}.${tempCounter}`);
}
let tempCounter = 0;

/** Writes `data` to `path` atomically, making the folder if needed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written, bytes.length - written);
      // Without the flush a power cut after the rename could still leave an empty file.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Whether a file name is one of our temporary names (left behind only by a killed process). */
export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}
