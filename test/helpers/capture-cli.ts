// Runs a CLI's main() in this process with its stdout/stderr writes captured (the CLIs write
// nowhere else): for tests of what a command line answers (parsing, help, refusals), where
// spawning a process per case would cost a Node start-up each. The spawned binaries keep their
// own tests (test/e2e), for exit codes, signals and files.
import { main as jukebox } from '../../src/cli/jukebox.js';
import { main as simulate } from '../../src/cli/simulate.js';

export type Program = 'jukebox' | 'simulate';
const mains: Record<Program, (argv: string[]) => Promise<number>> = { jukebox, simulate };

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export async function captureCli(program: Program, argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const sink = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = sink(out);
  process.stderr.write = sink(err);
  const started = performance.now();
  try {
    const code = await mains[program](argv);
    return { code, stdout: out.join(''), stderr: err.join(''), ms: performance.now() - started };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
}
