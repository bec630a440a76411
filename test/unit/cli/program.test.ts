// What a command's failure becomes (src/cli/program.ts, exit-codes.ts, output.ts): the exit code
// from the one table, a coded error as its message and hint, a bug as one line naming the error
// and the file that holds its stack trace (or the trace with --debug). runProgram in-process,
// with a command that throws what each case needs.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { afterEach, describe, expect, it } from 'vitest';
import { runProgram } from '../../../src/cli/program.js';
import { ErrorCodes, JukeboxError, type ErrorCode } from '../../../src/errors.js';

const STACK_LINE = /^\s+at .+[(:]/m;
const traceFiles: string[] = [];

afterEach(() => {
  for (const file of traceFiles.splice(0)) rmSync(file, { force: true });
});

/** A program whose one command throws `error`. */
async function failWith(error: unknown, extra: string[] = []): Promise<{ code: number; stderr: string }> {
  const command = (): CommandModule => ({
    command: 'go',
    describe: 'throws',
    handler: () => {
      throw error;
    },
  });
  const err: string[] = [];
  const real = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await runProgram({ name: 'prog', usage: '$0 go', commands: [command] }, ['go', ...extra]);
    return { code, stderr: err.join('') };
  } finally {
    process.stderr.write = real;
  }
}

describe('exit codes of what a command throws', () => {
  it.each([
    ['E_BAD_ARGUMENT', 2],
    ['E_CATALOG_INVALID', 2],
    ['E_SCENARIO_NOT_FOUND', 2],
    ['E_LISTEN', 3],
    ['E_REFUSED', 3],
    ['E_TIMEOUT', 1],
    ['E_WORKER', 1],
  ] as const)('%s exits %i, printed with its code and hint', async (code, exit) => {
    const r = await failWith(new JukeboxError(code, `something about ${code}`, { hint: 'do this' }));
    expect(r.code).toBe(exit);
    expect(r.stderr).toBe(`error [${code}]: something about ${code}\n  hint: do this\n`);
  });

  it('every error code has an exit code of the contract', async () => {
    for (const code of Object.keys(ErrorCodes) as ErrorCode[]) {
      const r = await failWith(new JukeboxError(code, 'x'));
      expect([1, 2, 3], code).toContain(r.code);
      const file = /stack trace in (\S+);/.exec(r.stderr)?.[1];
      if (file) traceFiles.push(file);
    }
  });

  it('a folder that cannot be written (a system error) exits 3 with the error and a hint, no stack trace', async () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open '/root/x.json'"), { code: 'EACCES', syscall: 'open', errno: -13 });
    const r = await failWith(denied);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error [EACCES]: EACCES: permission denied, open '/root/x.json'");
    expect(r.stderr).toMatch(/^\s*hint: /m);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('a bug (an uncoded error, or E_INTERNAL)', () => {
  it('prints one line naming the error and the file holding its stack trace, and exits 3', async () => {
    const r = await failWith(new TypeError('Cannot read properties of undefined'));
    expect(r.code).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('TypeError: Cannot read properties of undefined');
    expect(r.stderr).not.toMatch(STACK_LINE);
    const file = /stack trace in (\S+);/.exec(r.stderr)?.[1] ?? '';
    traceFiles.push(file);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(STACK_LINE);
  });

  it('E_INTERNAL is a bug too: one line, exit 3', async () => {
    const r = await failWith(new JukeboxError('E_INTERNAL', 'unexpected state'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unexpected state');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    traceFiles.push(/stack trace in (\S+);/.exec(r.stderr)?.[1] ?? '');
  });

  it('with --debug, shows the stack trace instead of writing it', async () => {
    const r = await failWith(new RangeError('boom'), ['--debug']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('RangeError: boom');
    expect(r.stderr).toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('stack trace in');
  });

  it('a thrown non-Error value is named too', async () => {
    const r = await failWith('a string');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('a string');
    traceFiles.push(/stack trace in (\S+);/.exec(r.stderr)?.[1] ?? '');
  });
});
