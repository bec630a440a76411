// Reading answers from the user: node:readline with Tab completion on a TTY; without one (a pipe,
// a test) the prompts still print and lines are read from stdin as they come, none lost.
import { createInterface, type Interface } from 'node:readline';

export type Completer = (line: string) => string[];

const NO_COMPLETIONS: Completer = () => [];
/** Lines of history kept on a TTY (arrow up). */
const HISTORY_SIZE = 100;

export class LineReader {
  private readonly rl: Interface;
  /** Lines typed before they were asked for (type-ahead, or a pipe): kept in order. */
  private readonly queued: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  private completer: Completer = NO_COMPLETIONS;

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly tty: boolean,
  ) {
    this.rl = createInterface({
      input,
      output,
      terminal: tty,
      historySize: tty ? HISTORY_SIZE : 0,
      completer: (line: string): [string[], string] => [this.completer(line), line],
    });
    this.rl.on('line', (line) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter(line);
      else this.queued.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.resolvePending(undefined);
    });
  }

  /** Ctrl-C on a TTY (readline owns the keyboard there, so no process signal comes). */
  onInterrupt(handler: () => void): void {
    this.rl.on('SIGINT', handler);
  }

  /** Prints the prompt and waits for one line; undefined at the end of input (Ctrl-D, a closed pipe) or when cancelled. */
  async ask(prompt: string, completer: Completer = NO_COMPLETIONS): Promise<string | undefined> {
    this.completer = completer;
    const ready = this.queued.shift();
    if (ready !== undefined || this.ended) {
      this.output.write(`${prompt}\n`);
      return ready;
    }
    this.rl.setPrompt(prompt);
    this.rl.prompt();
    const line = await new Promise<string | undefined>((resolve) => (this.waiter = resolve));
    // Without a TTY nothing echoes the answer: end the prompt's line so that output starts on its own.
    if (!this.tty) this.output.write('\n');
    this.completer = NO_COMPLETIONS;
    return line;
  }

  /** Ends a wait in progress with undefined (an interrupted question). */
  cancelPending(): void {
    this.resolvePending(undefined);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.rl.close();
    this.resolvePending(undefined);
  }

  private resolvePending(line: string | undefined): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(line);
  }
}
