// STREAM <song> [offset] → DATA n + the file from offset, paced at bitrate × stream speed.
import { streamSchedule } from '../pacer.js';
import type { Exchange, Pending } from '../context.js';
import { transfer } from './transfer.js';
import type { RequestOf } from './types.js';

export function stream(exchange: Exchange, request: RequestOf<'STREAM'>): Pending {
  return transfer(exchange, request.song, request.offset, (song) => streamSchedule(song.bitrateKbps, exchange.server.streamSpeed));
}
