// `jukebox client get <song>`: one journey without questions, for scripts. Exit 0 done, 2 no
// server holds the song, 1 any other failure; --json prints the outcome as one JSON document.
import { runJourney, type JourneyOutcome } from '../../client/journey.js';
import { ClientSession } from '../../client/journey-session.js';
import { JukeboxError } from '../../errors.js';
import { createRng } from '../../util/rng.js';
import { printError } from '../output.js';
import { exitCodeOf } from './exit-codes.js';
import { safeText } from './format.js';
import { outcomeJson } from './json.js';
import type { ResolvedClientOptions } from './options.js';
import { describeSessionEvent, JourneyRenderer } from './render.js';
import { Screen } from './screen.js';
import { TracePrinter } from './trace.js';

export interface GetOptions {
  song: string;
  /** Save the song (download or stream) to exactly this file; `-` writes its bytes to stdout as they arrive. */
  out: string | undefined;
  json: boolean;
}

/** `--out -`: the song's bytes go to stdout (for a player: `… --action stream --out - | mpg123 -`). */
export const STDOUT_OUT = '-';

export async function runGet(options: ResolvedClientOptions, get: GetOptions): Promise<number> {
  const journey = new AbortController();
  // Nobody reads the output any more (a closed pipe): stop the transfer rather than crash.
  const stop = () => journey.abort();
  // With --out -, stdout carries the song's bytes alone: progress, messages and the JSON go to stderr.
  const toStdout = get.out === STDOUT_OUT;
  if (toStdout && process.stdout.isTTY === true)
    throw new JukeboxError('E_BAD_ARGUMENT', '--out -: stdout is a terminal, which would show the MP3 bytes as garbage', {
      hint: 'pipe it to a player (… --out - | mpg123 -) or give a file name',
    });
  const report = toStdout ? process.stderr : process.stdout;
  if (toStdout) process.stdout.on('error', stop); // the player went away (EPIPE): stop, do not crash
  // With --json, stdout carries the JSON alone: the trace and warnings go to stderr.
  const human = get.json ? undefined : new Screen(report, report.isTTY === true, stop);
  const notes = human ?? new Screen(process.stderr, false, stop);
  const tracer = options.trace ? new TracePrinter((line) => notes.line(line)) : undefined;
  const session = new ClientSession({
    catalog: options.loaded,
    host: options.host,
    ...(options.clientName === undefined ? {} : { clientName: options.clientName }),
    trace: tracer?.onTrace,
    onEvent: (event) => notes.line(describeSessionEvent(event)),
  });
  const renderer = new JourneyRenderer(human ?? new Screen(process.stderr, false), {
    servers: session.servers,
    serveCommand: options.serveCommand,
    exampleSongId: options.loaded.catalog.songs[0]?.id ?? 'song1',
  });
  process.once('SIGINT', stop);
  tracer?.restart(session.clock.now());
  let outcome: JourneyOutcome;
  try {
    outcome = await runJourney(
      session,
      {
        query: get.song,
        action: options.action ?? 'download',
        prefer: options.prefer,
        rng: createRng(Date.now()),
        outDir: options.outDir,
        ...(toStdout ? { sink: process.stdout } : { outFile: get.out }),
        playbackSpeed: options.playbackSpeed,
        signal: journey.signal,
      },
      human ? { onEvent: renderer.onEvent } : {},
    );
  } finally {
    process.off('SIGINT', stop);
    await session.close();
  }
  const code = exitCodeOf(outcome);
  if (human) {
    renderer.outcome(outcome);
  } else {
    new Screen(report, false).line(JSON.stringify(outcomeJson(outcome, options.loaded.version), null, 2));
    // A script's log still deserves the reason in words.
    if (code !== 0) renderer.outcome(outcome);
    if (outcome.status === 'failed') printError(`error [${outcome.error.code}]: ${safeText(outcome.error.describe())}`);
  }
  return code;
}
