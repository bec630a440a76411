// Where the tags around the audio frames are: an ID3v2 tag before them (it may hold megabytes of
// cover art), an ID3v1 tag and an APEv2 tag after them. None of their bytes is sound.

export const ID3V2_HEADER_BYTES = 10;
const ID3V2_FOOTER_FLAG = 0x10;
export const ID3V1_BYTES = 128;
const APE_FOOTER_BYTES = 32;
const APE_HAS_HEADER_FLAG = 0x8000_0000;

/**
 * The size of the ID3v2 tag starting at `at` (header, body and footer), 0 when there is none, or
 * undefined when fewer than 10 bytes are there to tell.
 */
export function id3v2TagBytes(data: Uint8Array, at: number): number | undefined {
  if (at + ID3V2_HEADER_BYTES > data.length) return undefined;
  if (data[at] !== 0x49 || data[at + 1] !== 0x44 || data[at + 2] !== 0x33) return 0; // "ID3"
  const size = [6, 7, 8, 9].map((i) => data[at + i] as number);
  // Sizes are "syncsafe": 7 bits per byte. A byte with its top bit set is not a tag header.
  if (size.some((b) => b >= 0x80) || data[at + 3] === 0xff || data[at + 4] === 0xff) return 0;
  const body = size.reduce((sum, b) => sum * 128 + b, 0);
  const footer = ((data[at + 5] as number) & ID3V2_FOOTER_FLAG) !== 0 ? ID3V2_HEADER_BYTES : 0;
  return ID3V2_HEADER_BYTES + body + footer;
}

/**
 * Where the audio of a whole file ends: before an ID3v1 tag ("TAG", the last 128 bytes) and an
 * APEv2 tag ("APETAGEX" footer, before ID3v1 when both are there).
 */
export function trailingTagsStart(data: Uint8Array): number {
  let end = data.length;
  if (end >= ID3V1_BYTES && ascii(data, end - ID3V1_BYTES, 3) === 'TAG') end -= ID3V1_BYTES;
  if (end >= APE_FOOTER_BYTES && ascii(data, end - APE_FOOTER_BYTES, 8) === 'APETAGEX') {
    const footer = end - APE_FOOTER_BYTES;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const size = view.getUint32(footer + 12, true); // items + footer, not the header
    const flags = view.getUint32(footer + 20, true);
    const total = size + ((flags & APE_HAS_HEADER_FLAG) !== 0 ? APE_FOOTER_BYTES : 0);
    if (total <= end) end -= total;
  }
  return end;
}

export function ascii(data: Uint8Array, at: number, length: number): string {
  if (at < 0 || at + length > data.length) return '';
  return String.fromCharCode(...data.subarray(at, at + length));
}
