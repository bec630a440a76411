// `jukebox client`: the teaching demo. Greets both servers, then asks for a song again and again,
// runs its journey (ask both, choose, download or stream) and renders each step as it happens.
import { runJourney, type ServerOffer, type TransferAction } from '../../client/journey.js';
import { ClientSession, type ServerStatus } from '../../client/journey-session.js';
import { completeSong } from '../../client/song-search.js';
import { createRng } from '../../util/rng.js';
import { printError, reportError } from '../output.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { count, serverLabel } from './format.js';
import { LineReader } from './line-reader.js';
import type { ResolvedClientOptions } from './options.js';
import { describeAllDown, describeSessionEvent, JourneyRenderer, serverPrompt, statusReason } from './render.js';
import { Screen } from './screen.js';
import { TracePrinter } from './trace.js';
import { EXIT } from '../exit-codes.js';

export const SONG_PROMPT = "Enter the name of the song (or 'q' to quit): ";
export const ACTION_PROMPT = 'Download or stream? [d/s] (default d): ';
const QUIT = /^(q|quit)$/i;

/** Runs until 'q', the end of input or Ctrl-C at the prompt; the exit code (1 when no server could be reached at the start). */
export async function runInteractive(options: ResolvedClientOptions): Promise<number> {
  const out = process.stdout;
  // Nobody reads the output any more (a closed pipe): end the session rather than crash.
  let reader: LineReader | undefined;
  let journey: AbortController | undefined;
  const screen = new Screen(out, out.isTTY === true, () => {
    journey?.abort();
    reader?.close();
  });
  const tracer = options.trace ? new TracePrinter((line) => screen.line(line)) : undefined;
  const session = new ClientSession({
    catalog: options.loaded,
    host: options.host,
    ...(options.clientName === undefined ? {} : { clientName: options.clientName }),
    trace: tracer?.onTrace,
    onEvent: (event) => screen.line(describeSessionEvent(event)),
  });
  const { catalog, version, path } = options.loaded;
  screen.line(`jukebox client: catalog ${path} (version ${version}, ${count(catalog.songs.length, 'song')})`);
  tracer?.restart(session.clock.now());
  const statuses = await session.probe();
  if (!greeted(statuses, screen, options.serveCommand)) {
    await session.close();
    // Neither server reachable: the environment stopped it (the contract's exit 3).
    return EXIT.ENVIRONMENT;
  }
  screen.line(`Type a song id or title${process.stdin.isTTY ? ' (Tab completes)' : ''}.`);

  const lines = new LineReader(process.stdin, out, process.stdin.isTTY === true && out.isTTY === true);
  reader = lines;
  // Ctrl-C cancels the transfer or question in progress; at the song prompt it quits.
  const interrupt = () => {
    if (journey && !journey.signal.aborted) {
      journey.abort();
      lines.cancelPending();
    } else {
      lines.close();
    }
  };
  lines.onInterrupt(interrupt);
  process.on('SIGINT', interrupt);
  const rng = createRng(Date.now());
  try {
    for (;;) {
      screen.line();
      const text = await lines.ask(SONG_PROMPT, (line) => completeSong(catalog, line));
      if (text === undefined || QUIT.test(text.trim())) break;
      journey = new AbortController();
      tracer?.restart(session.clock.now());
      const renderer = new JourneyRenderer(screen, {
        servers: session.servers,
        serveCommand: options.serveCommand,
        exampleSongId: options.loaded.catalog.songs[0]?.id ?? 'song1',
      });
      try {
        const outcome = await runJourney(
          session,
          {
            query: text,
            action: options.action,
            prefer: options.prefer,
            rng,
            outDir: options.outDir,
            playbackSpeed: options.playbackSpeed,
            signal: journey.signal,
          },
          { onEvent: renderer.onEvent, chooseServer: (offer) => askServer(lines, screen, offer), chooseAction: () => askAction(lines, screen) },
        );
        renderer.outcome(outcome);
      } catch (err) {
        // One song's unexpected failure should not end the session.
        reportError(err);
      } finally {
        journey = undefined;
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    lines.close();
    await session.close();
  }
  screen.line('Bye.');
  return 0;
}

/** Shows each server's state; false when none answered (after explaining how to start them). */
function greeted(statuses: ServerStatus[], screen: Screen, serveCommand: string): boolean {
  for (const status of statuses) {
    const what =
      status.status === 'up'
        ? `up, server=${escapeForTerminal(status.hello.server)}, catalog ${escapeForTerminal(status.hello.catalog)}, ${count(status.hello.songs, 'song')}`
        : `unreachable (${statusReason(status)})`;
    screen.line(`  ${serverLabel(status.server)}: ${what}`);
  }
  const up = statuses.filter((s) => s.status === 'up').map((s) => s.server.id);
  const down = statuses.filter((s) => s.status === 'down').map((s) => s.server.id);
  if (up.length === 0) {
    for (const line of describeAllDown(
      statuses.map((s) => ({ server: s.server, reason: statusReason(s) })),
      serveCommand,
    ))
      printError(line);
    return false;
  }
  if (down.length > 0) screen.line(`${down.join(' and ')} ${down.length === 1 ? 'is' : 'are'} unreachable; carrying on with ${up.join(' and ')}.`);
  return true;
}

/** Several servers hold the song: the seed's question, Enter for the default. */
async function askServer(reader: LineReader, screen: Screen, offer: ServerOffer): Promise<string> {
  const fallback = offer.holders.find((h) => h.server.id === offer.defaultServerId)?.server.number ?? 1;
  for (;;) {
    const text = await reader.ask(serverPrompt(offer));
    if (text === undefined) return offer.defaultServerId;
    const typed = text.trim().toLowerCase();
    if (typed === '') return offer.defaultServerId;
    const holder = offer.holders.find((h) => String(h.server.number) === typed || h.server.id.toLowerCase() === typed);
    if (holder) return holder.server.id;
    screen.line(`Please press ${offer.holders.map((h) => h.server.number).join(' or ')} (or Enter for ${fallback}).`);
  }
}

async function askAction(reader: LineReader, screen: Screen): Promise<TransferAction> {
  for (;;) {
    const text = await reader.ask(ACTION_PROMPT);
    if (text === undefined) return 'download';
    const typed = text.trim().toLowerCase();
    if (typed === '' || typed === 'd' || typed === 'download') return 'download';
    if (typed === 's' || typed === 'stream') return 'stream';
    screen.line("Please type 'd' to download or 's' to stream (or Enter to download).");
  }
}
