// What a file that is not an MP3 is, named by its own signature, so that a rejection says
// "WAV/RIFF" for a renamed WAV rather than what a lenient parser guessed.
import { describeStream, parseFrameHeader } from './header.js';
import { id3v2TagBytes, ascii } from './tags.js';

/** Bytes of the start of a file that sniffFormat needs (after any ID3v2 tag). */
export const SNIFF_BYTES = 64;

/**
 * The container or codec a file's first bytes announce, or undefined when they announce nothing
 * known. `head` is the file's start, or the bytes right after its ID3v2 tag.
 */
export function sniffFormat(head: Uint8Array): string | undefined {
  const magic4 = ascii(head, 0, 4);
  if (magic4 === 'RIFF' || magic4 === 'RIFX') return ascii(head, 8, 4) === 'WAVE' ? 'WAV/RIFF' : 'RIFF';
  if (magic4 === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(head, 8, 4))) return 'AIFF';
  if (magic4 === 'fLaC') return 'FLAC';
  if (magic4 === 'OggS') return 'Ogg';
  if (ascii(head, 4, 4) === 'ftyp') return 'MP4/M4A';
  if (magic4 === '.snd') return 'Sun AU';
  if (magic4 === 'MThd') return 'MIDI';
  if (head[0] === 0x30 && head[1] === 0x26 && head[2] === 0xb2 && head[3] === 0x75) return 'ASF/WMA';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'Matroska/WebM';
  if (ascii(head, 0, 5) === '%PDF-') return 'PDF';
  if (head[0] === 0x89 && ascii(head, 1, 3) === 'PNG') return 'PNG';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG';
  if (ascii(head, 0, 2) === 'PK') return 'ZIP';
  // ADTS: a 12-bit sync with the layer bits 00, which no MPEG audio frame has.
  if (head[0] === 0xff && ((head[1] as number) & 0xf6) === 0xf0) return 'ADTS AAC';
  const mpeg = parseFrameHeader(head, 0);
  if (mpeg) return describeStream(mpeg);
  return undefined;
}

/** Where sniffing should look: past an ID3v2 tag when the file starts with one. */
export function sniffOffset(head: Uint8Array): number {
  return id3v2TagBytes(head, 0) ?? 0;
}
