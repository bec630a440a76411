// The information frame some encoders put first: a Xing ("Xing" for VBR, "Info" for CBR) or a
// Fraunhofer VBRI header, saying how many frames follow. It decodes to silence and players skip
// it, so it is not counted as audio; its frame count is what a player believes the length to be.
import { FRAME_HEADER_BYTES, type FrameHeader } from './header.js';
import { ascii } from './tags.js';

export type VbrHeaderKind = 'xing' | 'info' | 'vbri' | 'none';

export interface VbrHeader {
  kind: Exclude<VbrHeaderKind, 'none'>;
  /** Audio frames it promises (the information frame itself excluded); undefined when it does not say. */
  frames: number | undefined;
}

const XING_FRAMES_FLAG = 1;
const VBRI_OFFSET = FRAME_HEADER_BYTES + 32;
const CRC_BYTES = 2;

/** Side information size: where a Xing header starts after the frame header. */
function sideInfoBytes(header: FrameHeader): number {
  if (header.version === '1') return header.channels === 1 ? 17 : 32;
  return header.channels === 1 ? 9 : 17;
}

/** The Xing/Info/VBRI header in the frame at `at` (whole frame in `data`), or undefined. */
export function readVbrHeader(data: Uint8Array, at: number, header: FrameHeader): VbrHeader | undefined {
  if (header.layer !== 3) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = at + header.bytes;
  // Encoders place it right after the side information; some count a CRC before it.
  for (const extra of header.crc ? [0, CRC_BYTES] : [0]) {
    const tagAt = at + FRAME_HEADER_BYTES + sideInfoBytes(header) + extra;
    const tag = ascii(data, tagAt, 4);
    if ((tag === 'Xing' || tag === 'Info') && tagAt + 8 <= end) {
      const flags = view.getUint32(tagAt + 4);
      const frames = (flags & XING_FRAMES_FLAG) !== 0 && tagAt + 12 <= end ? view.getUint32(tagAt + 8) : undefined;
      return { kind: tag === 'Xing' ? 'xing' : 'info', frames };
    }
  }
  const vbriAt = at + VBRI_OFFSET;
  if (ascii(data, vbriAt, 4) === 'VBRI' && vbriAt + 18 <= end) return { kind: 'vbri', frames: view.getUint32(vbriAt + 14) };
  return undefined;
}
