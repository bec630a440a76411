// The client's timeouts and bounds: named defaults, and their validation at the boundary.
import { JukeboxError } from '../errors.js';

/** A TCP connect that has not completed in this long fails E_TIMEOUT. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/**
 * While a request is outstanding, the longest the connection may go without receiving a byte.
 * It restarts on every byte, so a long GET or a real-time STREAM never hits it while data flows;
 * a hung server does. On expiry the request fails E_TIMEOUT and the connection is destroyed
 * (its stream position is lost).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** close()/QUIT: once nothing is outstanding, how long the server has to close before the socket is cut. */
export const CLOSE_GRACE_MS = 5_000;
/** askServers(): the default bound on connect + CHECK for each server. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;
/** transferSong(): how many times a transfer that broke off is retried (resumed) before it fails. */
export const DEFAULT_MAX_RESUMES = 3;
/** HELLO's client name is one token; the request line must stay far below the server's 1024 bytes. */
export const MAX_CLIENT_NAME_CHARS = 64;
/** A client name is one printable ASCII token: no spaces, no control characters. */
export const CLIENT_NAME_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_CLIENT_NAME_CHARS}}$`);

/** Throws E_BAD_ARGUMENT unless `value` is an integer within [min, max]. */
export function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new JukeboxError('E_BAD_ARGUMENT', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
