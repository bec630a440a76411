// The exit codes of both CLIs (docs/errors.md, the command-line contract), and the one table that
// turns an error into one. Commands that know better (a threshold failed, `client get`'s "no server
// holds it") return their own code; everything thrown ends here.
import type { ErrorCode } from '../errors.js';
import { isJukeboxError } from '../errors.js';

export const EXIT = {
  /** Done, and every threshold held. */
  OK: 0,
  /** The work ran but failed. */
  FAILED: 1,
  /** Refused before any work: a usage error, a bad file, a value out of bounds. */
  USAGE: 2,
  /** Could not run: the environment stopped it (a port in use, servers unreachable, a disk that cannot be written). */
  ENVIRONMENT: 3,
  /** Interrupted by the user (SIGINT/SIGTERM): 128 + SIGINT's number, as shells report it. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every coded error's exit code. A new ErrorCode fails to compile until it has a row here. */
const EXIT_CODE_OF_ERROR: Readonly<Record<ErrorCode, ExitCode>> = {
  E_BAD_ARGUMENT: EXIT.USAGE,
  E_CATALOG_NOT_FOUND: EXIT.USAGE,
  E_CATALOG_INVALID: EXIT.USAGE,
  // The catalog's own song files are part of the input it names: refused before serving.
  E_LIBRARY_MISMATCH: EXIT.USAGE,
  E_LIBRARY_MISSING: EXIT.USAGE,
  E_MP3_INVALID: EXIT.USAGE,
  E_SCENARIO_INVALID: EXIT.USAGE,
  E_SCENARIO_NOT_FOUND: EXIT.USAGE,
  E_LISTEN: EXIT.ENVIRONMENT,
  // Too few file descriptors for even a small connection limit: the machine's setting (ulimit -n).
  E_DESCRIPTORS: EXIT.ENVIRONMENT,
  E_REFUSED: EXIT.ENVIRONMENT,
  E_RESET: EXIT.FAILED,
  E_TIMEOUT: EXIT.FAILED,
  E_PROTOCOL: EXIT.FAILED,
  E_INTEGRITY: EXIT.FAILED,
  E_SERVER_ERROR: EXIT.FAILED,
  // The documented exception of `jukebox client get`: no server holds the song.
  E_NOT_FOUND: EXIT.USAGE,
  E_CLOSED: EXIT.FAILED,
  E_WORKER: EXIT.FAILED,
  // A bug: exit 3 like the uncoded errors, with the trace written to a file (see output.ts).
  E_INTERNAL: EXIT.ENVIRONMENT,
};

/**
 * Node's file-system errors that mean the machine, not the input or our code, stopped the work:
 * a folder that cannot be written, a full disk, no descriptors left.
 */
const ENVIRONMENT_ERRNOS: ReadonlySet<string> = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'ENOTDIR',
  'EISDIR',
  'ENOENT',
  'EEXIST',
  'EBUSY',
  'EIO',
]);

/** A Node system error (fs, net) with its errno code, like `EACCES`. */
export function systemErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || isJukeboxError(err)) return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && ENVIRONMENT_ERRNOS.has(code) && typeof (err as NodeJS.ErrnoException).syscall === 'string' ? code : undefined;
}

/** The exit code for anything a command threw. */
export function exitCodeFor(err: unknown): ExitCode {
  if (isJukeboxError(err)) return EXIT_CODE_OF_ERROR[err.code];
  // A system error is the environment's; anything else is a bug. Both exit 3.
  return EXIT.ENVIRONMENT;
}

/** Whether an error is a bug of ours (shown as one line, its trace written to a file). */
export function isInternalError(err: unknown): boolean {
  if (isJukeboxError(err)) return err.code === 'E_INTERNAL';
  return systemErrorCode(err) === undefined;
}
