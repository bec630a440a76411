// A file on disk through the frame scan, read in chunks (a song may be large): its frame index,
// or, when it holds no MPEG audio, what its signature says it is instead.
import { open } from 'node:fs/promises';
import { sniffFormat, sniffOffset, SNIFF_BYTES } from './format.js';
import { Mp3Indexer, type Mp3Index } from './index.js';
import { ID3V2_HEADER_BYTES } from './tags.js';

const READ_CHUNK_BYTES = 1024 * 1024;

export type Mp3FileScan = { index: Mp3Index } | { index: undefined; format: string | undefined };

export async function scanMp3File(path: string): Promise<Mp3FileScan> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const indexer = new Mp3Indexer();
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let head: Buffer | undefined;
    for (let position = 0; position < size;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (position === 0) {
        head = Buffer.from(chunk.subarray(0, ID3V2_HEADER_BYTES + SNIFF_BYTES));
        // A signature of another format (RIFF/WAVE…) settles it, whatever its bytes happen to hold.
        const format = await formatOf(handle, head);
        if (format !== undefined && !format.startsWith('MPEG-')) return { index: undefined, format };
      }
      indexer.push(chunk);
      position += bytesRead;
    }
    const index = indexer.finish(size);
    if (index) return { index };
    return { index: undefined, format: await formatOf(handle, head) };
  } finally {
    await handle.close();
  }
}

/** The signature at the start of the file, or after its ID3v2 tag. */
async function formatOf(handle: Awaited<ReturnType<typeof open>>, head: Buffer | undefined): Promise<string | undefined> {
  if (!head) return undefined;
  const skip = sniffOffset(head);
  if (skip === 0) return sniffFormat(head);
  const after = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(after, 0, SNIFF_BYTES, skip);
  return sniffFormat(after.subarray(0, bytesRead));
}
