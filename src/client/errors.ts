// The client's error for an `ERR <code> <text>` answer: E_SERVER_ERROR that keeps the code.
import { JukeboxError } from '../errors.js';
import { CLOSING_ERR_CODES, ERR } from '../protocol/constants.js';

const HINTS: Readonly<Record<number, string>> = {
  [ERR.BAD_REQUEST]: 'the request broke jukebox/1; this is a client bug',
  [ERR.LINE_TOO_LONG]: 'the request line was longer than 1024 bytes',
  [ERR.BAD_OFFSET]: 'the offset is past the end of the song',
  [ERR.UNAVAILABLE]: 'the server is at its connection limit or shutting down; try the other server or retry later',
  [ERR.INTERNAL]: 'the server failed unexpectedly; its log says why',
};

/** `ERR <status> <text>`: code E_SERVER_ERROR, `status` the protocol's numeric code. */
export class JukeboxServerError extends JukeboxError {
  /** The 3-digit code of the ERR line (400, 413, 416, 500, 503). */
  readonly status: number;
  /** The text the server sent after the code. */
  readonly serverText: string;

  constructor(status: number, serverText: string, request: string) {
    const hint = HINTS[status];
    super('E_SERVER_ERROR', `${request}: server answered ERR ${status} ${serverText}`.trimEnd(), hint === undefined ? {} : { hint });
    this.name = 'JukeboxServerError';
    this.status = status;
    this.serverText = serverText;
  }

  /** After ERR 413 and 503 the server closes the connection. */
  get closesConnection(): boolean {
    return CLOSING_ERR_CODES.has(this.status);
  }
}

/** The numeric ERR code of an error, or undefined when it is not an ERR answer. */
export function serverStatusOf(err: unknown): number | undefined {
  return err instanceof JukeboxServerError ? err.status : undefined;
}
