// The client's terminal: whole lines, plus on a TTY one live status line (a progress bar, the
// playback view) that other lines are printed above instead of through.
import { safeText } from './format.js';

/** Clears from the cursor to the end of the line. */
const CLEAR_LINE = '\x1b[K';

export class Screen {
  private statusShown = '';
  private broken = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    /** Redraw a status line in place; off when the output is a file or a pipe. */
    readonly tty: boolean,
    /** The reader went away (`jukebox client get … | head`): called once, nothing more is written. */
    onBroken?: () => void,
  ) {
    out.on('error', () => {
      if (this.broken) return;
      this.broken = true;
      onBroken?.();
    });
  }

  /**
   * One whole line, printed above the status line if one is showing. Its text is never a
   * terminal command: any control left in it (callers escape outside text already) is shown
   * escaped, line breaks excepted.
   */
  line(text = ''): void {
    const shown = safeText(text);
    if (this.statusShown) this.put(`\r${CLEAR_LINE}${shown}\n${this.statusShown}`);
    else this.put(`${shown}\n`);
  }

  /** Text without a newline (a prompt). */
  write(text: string): void {
    this.put(text);
  }

  /** Replaces the status line (TTY only; without a TTY callers print whole lines instead). */
  status(text: string): void {
    if (!this.tty) return;
    this.statusShown = text;
    this.put(`\r${text}${CLEAR_LINE}`);
  }

  /** Leaves the last status line as it is and moves below it. */
  endStatus(): void {
    if (!this.statusShown) return;
    this.statusShown = '';
    this.put('\n');
  }

  /** Removes the status line. */
  clearStatus(): void {
    if (!this.statusShown) return;
    this.statusShown = '';
    this.put(`\r${CLEAR_LINE}`);
  }

  private put(text: string): void {
    if (!this.broken) this.out.write(text);
  }
}
