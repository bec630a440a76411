// STREAM <song> [offset] → DATA n + the file from offset, paced at its play time × stream speed:
// by its MP3 frames, or by its catalog bitrate for a file without frames.
import { bytePace, framePace } from '../pacer.js';
import type { Exchange, Pending } from '../context.js';
import { transfer } from './transfer.js';
import type { RequestOf } from './types.js';

export function stream(exchange: Exchange, request: RequestOf<'STREAM'>): Pending {
  const speed = exchange.server.streamSpeed;
  return transfer(exchange, request.song, request.offset, (stored, offset) =>
    stored.frames ? framePace(stored.frames, offset, speed) : bytePace(stored.song.bitrateKbps, speed),
  );
}
