// The CLI's only door to the terminal: the library core never writes to stdout or stderr.
import { isJukeboxError } from '../errors.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Prints an error the way a user should read it: coded errors with their hint, others with a stack. */
export function reportError(err: unknown): void {
  if (isJukeboxError(err)) printError(`error [${err.code}]: ${err.describe()}`);
  else printError(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}
