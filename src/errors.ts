// The one catalogue of coded errors. Code branches on `err.code`, never on message text, and
// errors cross thread boundaries as `{ code, message }` (see toErrorPayload).

export const ErrorCodes = {
  E_BAD_ARGUMENT: 'an option or argument has a value it cannot take',
  E_CATALOG_NOT_FOUND: 'the catalog file does not exist or cannot be read',
  E_CATALOG_INVALID: 'the catalog file is not valid JSON or breaks the catalog schema',
  E_LIBRARY_MISMATCH: 'a song file does not match the catalog (size or sha256)',
  E_LIBRARY_MISSING: 'a song file named by the catalog is missing',
  E_MP3_INVALID: 'a file is not an MP3 that can be read',
  E_SCENARIO_INVALID: 'the scenario file breaks the scenario schema',
  E_SCENARIO_NOT_FOUND: 'the scenario file does not exist or cannot be read',
  E_LISTEN: 'a server could not listen on its port',
  E_DESCRIPTORS: 'the process may open too few files (ulimit -n) for a server to start',
  E_REFUSED: 'the server refused the connection or is not running',
  E_RESET: 'the connection was reset or closed before the response was complete',
  E_TIMEOUT: 'the request took longer than its timeout',
  E_PROTOCOL: 'the peer sent something jukebox/1 does not allow',
  E_INTEGRITY: 'the bytes received do not match the catalog sha256',
  E_SERVER_ERROR: 'the server answered ERR',
  E_NOT_FOUND: 'no server holds the song',
  E_CLOSED: 'the connection is closed',
  E_WORKER: 'a worker thread failed',
  E_INTERNAL: 'an unexpected internal failure',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The base of every error the library throws on purpose. `hint` says what to do about it. */
export class JukeboxError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JukeboxError';
    this.code = code;
    this.hint = options.hint;
  }

  /** The message with its hint, as a user should read it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** What crosses a thread boundary: structured clone keeps no class, so only code and message. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof JukeboxError) {
    return err.hint ? { code: err.code, message: err.message, hint: err.hint } : { code: err.code, message: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message };
}

export function fromErrorPayload(payload: ErrorPayload): JukeboxError {
  return new JukeboxError(payload.code, payload.message, payload.hint ? { hint: payload.hint } : {});
}

export function isJukeboxError(err: unknown, code?: ErrorCode): err is JukeboxError {
  return err instanceof JukeboxError && (code === undefined || err.code === code);
}

/** For exhaustive switches over discriminated unions: an unhandled case fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new JukeboxError('E_INTERNAL', `unexpected ${what}: ${JSON.stringify(value)}`);
}
