// One MPEG audio frame header (ISO 11172-3 / 13818-3, and the MPEG-2.5 extension): what it says
// about the frame that follows it, or undefined when the four bytes are not a valid header.

export type MpegVersion = '1' | '2' | '2.5';
export type MpegLayer = 1 | 2 | 3;

export interface FrameHeader {
  version: MpegVersion;
  layer: MpegLayer;
  bitrateKbps: number;
  sampleRate: number;
  /** The whole frame, header included. */
  bytes: number;
  /** PCM samples per channel the frame decodes to. */
  samples: number;
  channels: 1 | 2;
  /** A 16-bit CRC follows the header. */
  crc: boolean;
}

export const FRAME_HEADER_BYTES = 4;

// Bitrates (kbps) by index 1…14; index 0 is "free format" (no fixed size: not supported) and 15 is invalid.
const BITRATES: Readonly<Record<string, readonly number[]>> = {
  '1-1': [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Readonly<Record<MpegVersion, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};
const VERSIONS: ReadonlyArray<MpegVersion | undefined> = ['2.5', undefined, '2', '1'];
const LAYERS: ReadonlyArray<MpegLayer | undefined> = [undefined, 3, 2, 1];

/** The header at `at`, or undefined (no sync, a reserved field, free format, or fewer than 4 bytes). */
export function parseFrameHeader(data: Uint8Array, at: number): FrameHeader | undefined {
  if (at + FRAME_HEADER_BYTES > data.length) return undefined;
  const b1 = data[at + 1] as number;
  const b2 = data[at + 2] as number;
  if (data[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = VERSIONS[(b1 >> 3) & 3];
  const layer = LAYERS[(b1 >> 1) & 3];
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === undefined || layer === undefined || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const bitrateKbps = (BITRATES[`${version === '1' ? 1 : 2}-${layer}`] as readonly number[])[bitrateIndex - 1] as number;
  const sampleRate = SAMPLE_RATES[version][rateIndex] as number;
  const padding = (b2 >> 1) & 1;
  let bytes: number;
  let samples: number;
  if (layer === 1) {
    bytes = (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + padding) * 4;
    samples = 384;
  } else if (layer === 2 || version === '1') {
    bytes = Math.floor((144 * bitrateKbps * 1000) / sampleRate) + padding;
    samples = 1152;
  } else {
    bytes = Math.floor((72 * bitrateKbps * 1000) / sampleRate) + padding;
    samples = 576;
  }
  const channels = (data[at + 3] as number) >> 6 === 3 ? 1 : 2;
  return { version, layer, bitrateKbps, sampleRate, bytes, samples, channels, crc: (b1 & 1) === 0 };
}

/** Two headers belong to the same stream: a decoder does not switch version, layer or sample rate mid-stream. */
export function sameStream(a: FrameHeader, b: FrameHeader): boolean {
  return a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;
}

/** "MPEG-1 Layer III", for messages. */
export function describeStream(header: Pick<FrameHeader, 'version' | 'layer'>): string {
  return `MPEG-${header.version} Layer ${'I'.repeat(header.layer)}`;
}
