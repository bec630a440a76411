// The CLI's only door to the terminal: the library core never writes to stdout or stderr.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isJukeboxError } from '../errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { isInternalError, systemErrorCode } from './exit-codes.js';

export { EXIT } from './exit-codes.js';

/** `--debug` (both CLIs): an internal error shows its stack trace instead of writing it to a file. */
let debug = false;

export function setDebug(on: boolean): void {
  debug = on;
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Prints an error the way a user should read it: coded errors with their hint, the machine's
 * errors (a folder that cannot be written) with what to check, and our own bugs as one line
 * naming the error and the file that holds its stack trace. Never a stack trace unless --debug.
 */
export function reportError(err: unknown): void {
  if (isJukeboxError(err) && !isInternalError(err)) {
    printError(`error [${err.code}]: ${err.describe()}`);
    return;
  }
  const errno = systemErrorCode(err);
  if (errno !== undefined) {
    printError(`error [${errno}]: ${(err as Error).message}\n  hint: ${ERRNO_HINTS[errno] ?? 'check the path exists and this user may read and write it'}`);
    return;
  }
  printError(internalErrorLine(err));
}

/** A bug as one line: the error's name and message, and the file its stack trace went to (or the trace itself with --debug). */
export function internalErrorLine(err: unknown): string {
  const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const trace = err instanceof Error ? (err.stack ?? name) : name;
  if (debug) return `internal error: ${trace}`;
  const file = writeTrace(trace);
  const where = file === undefined ? 'run again with --debug to see its stack trace' : `stack trace in ${file}; run with --debug to print it`;
  return `internal error (a bug, please report it): ${escapeForTerminal(firstLine(name))} (${where})`;
}

const ERRNO_HINTS: Readonly<Record<string, string>> = {
  EACCES: 'this user may not write there: choose another folder or fix its permissions',
  EPERM: 'this user may not write there: choose another folder or fix its permissions',
  EROFS: 'the file system is read-only: choose another folder',
  ENOSPC: 'the disk is full: free some space or write elsewhere',
  EDQUOT: 'the disk quota is used up: free some space or write elsewhere',
  EMFILE: 'the process ran out of file descriptors: raise the limit (ulimit -n) or lower the load',
  ENFILE: 'the system ran out of file descriptors: lower the load',
};

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

/** Writes a bug's stack trace to a file in the temporary folder; undefined if even that fails. */
function writeTrace(trace: string): string | undefined {
  const file = join(tmpdir(), `jukebox-error-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.txt`);
  try {
    writeFileSync(file, `${trace}\n\nnode ${process.version}, argv: ${JSON.stringify(process.argv.slice(2))}\n`);
    return file;
  } catch {
    return undefined;
  }
}
