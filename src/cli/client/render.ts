// Turns the journey's events and outcome into the lines a student reads. Pure text decisions live
// in the describe* functions; JourneyRenderer only routes them to the screen.
import { relative, isAbsolute } from 'node:path';
import type { CatalogSong } from '../../catalog/types.js';
import type { JourneyChoice, JourneyEvent, JourneyOutcome, ServerOffer } from '../../client/journey.js';
import type { JourneyServer, ServerAnswer, ServerStatus, SessionEvent } from '../../client/journey-session.js';
import type { QueryProblem } from '../../client/song-search.js';
import { assertNever } from '../../errors.js';
import { formatBytes } from '../../util/duration.js';
import { escapeForTerminal } from '../../util/terminal-text.js';
import { count, describeUnreachable, formatElapsed, formatLatency, safeText, serverLabel, shortSha } from './format.js';
import { DownloadProgressView } from './progress-bar.js';
import type { Screen } from './screen.js';
import { describePlaybackSummary, StreamView } from './stream-view.js';

/** The exact sentence of the seed when no server holds the song. */
export const ABSENT_SENTENCE = 'The song does not exist on any server.';
/** Long input is shown cut to this many characters. */
const SHOWN_QUERY_CHARS = 60;

export function describeAnswer({ server, answer }: ServerAnswer): string {
  switch (answer.outcome) {
    case 'exist':
      return `${serverLabel(server)}: EXIST ${formatBytes(answer.bytes)}  ${formatLatency(answer.latencyMs)}`;
    case 'not_exist':
      return `${serverLabel(server)}: NOT_EXIST  ${formatLatency(answer.latencyMs)}`;
    case 'unavailable':
      return `${serverLabel(server)}: unreachable (${describeUnreachable(answer.error, answer.message)})`;
  }
}

export function describeSong(song: CatalogSong): string {
  // Titles and artists come from the catalog, i.e. from MP3 tags: never raw to the terminal.
  return `${song.id} ("${escapeForTerminal(song.title)}" by ${escapeForTerminal(song.artist)})`;
}

/** A query as typed, safe to print: control characters escaped, long ones cut. */
export function showQuery(query: string): string {
  const cut = query.length > SHOWN_QUERY_CHARS ? `${query.slice(0, SHOWN_QUERY_CHARS)}…` : query;
  return `"${escapeForTerminal(cut)}"`;
}

export function describeProblem(problem: QueryProblem, exampleId: string): string {
  switch (problem.kind) {
    case 'empty':
      return "Please type a song name or id (or 'q' to quit).";
    case 'too-long':
      return `That line is ${problem.length} characters long; a song name has at most ${problem.max}. Type a song id (e.g. ${exampleId}) or a title.`;
    case 'control-characters':
      return `That line contains control characters (${problem.characters.join(', ')}); type a song id or a title in plain text.`;
  }
}

export function describeSuggestions(songs: readonly CatalogSong[]): string {
  return `Did you mean ${songs.map(describeSong).join(', or ')}?`;
}

/** `Both servers have the song. Press '1' for Server 1 or '2' for Server 2 [default: 1 (faster)]: ` */
export function serverPrompt(offer: ServerOffer): string {
  const keys = offer.holders.map((h) => `'${h.server.number}' for Server ${h.server.number}`);
  const choices = keys.length === 2 ? keys.join(' or ') : `${keys.slice(0, -1).join(', ')} or ${keys.at(-1) ?? ''}`;
  const who = offer.holders.length === 2 ? 'Both servers have' : `${offer.holders.length} servers have`;
  const fallback = offer.holders.find((h) => h.server.id === offer.defaultServerId)?.server.number ?? 1;
  return `${who} the song. Press ${choices} [default: ${fallback} (${defaultWhy(offer)})]: `;
}

function defaultWhy(offer: ServerOffer): string {
  switch (offer.defaultReason) {
    case 'fastest':
    case 'only-holder':
      return offer.holders.length === 2 ? 'faster' : 'fastest';
    case 'preferred':
      return `--prefer ${offer.defaultServerId}`;
    case 'preferred-lacks-song':
      return offer.holders.length === 2 ? 'faster; the preferred server lacks the song' : 'fastest; the preferred server lacks the song';
    case 'least-loaded':
      return 'least loaded';
    case 'random':
      return 'random pick';
  }
}

function describeChoice(choice: JourneyChoice, servers: readonly JourneyServer[]): string {
  const server = servers.find((s) => s.id === choice.serverId);
  const name = server ? `${server.id} (Server ${server.number})` : choice.serverId;
  switch (choice.reason) {
    case 'only-holder':
      return `Only ${name} has the song: using it.`;
    case 'user':
      return `Using ${name}.`;
    case 'preferred':
      return `Using ${name} (--prefer).`;
    case 'preferred-lacks-song':
      return `Using ${name} (the preferred server lacks the song; ${name} answered fastest).`;
    default:
      return `Using ${name} (${choice.reason === 'fastest' ? 'fastest answer' : choice.reason}).`;
  }
}

/** Where a file is, as short as it can be said from the current directory. */
export function showPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `jukebox serve`, with the catalog when it is not the project's own. */
export function serveCommandFor(catalogPath: string, defaultCatalog: string): string {
  return catalogPath === defaultCatalog ? 'jukebox serve' : `jukebox serve --catalog ${catalogPath}`;
}

export function describeAllDown(statuses: ReadonlyArray<{ server: JourneyServer; reason: string }>, serveCommand: string): string[] {
  return [
    statuses.length === 2 ? 'Neither server is reachable:' : 'No server is reachable:',
    ...statuses.map((s) => `  ${serverLabel(s.server)}: ${s.reason}`),
    'Start the servers in another terminal first:',
    `  ${serveCommand}`,
    'then run jukebox client again.',
  ];
}

export function statusReason(status: ServerStatus): string {
  return status.status === 'up' ? 'up' : describeUnreachable(status.error.code, status.error.message);
}

export function describeSessionEvent(event: SessionEvent): string {
  switch (event.type) {
    case 'catalog-mismatch':
      return `warning: ${event.serverId} serves catalog version ${escapeForTerminal(event.serverVersion)}, this client's catalog is version ${event.clientVersion}: their song lists differ, so its answers may not match yours (every transfer is still checked against your catalog's sha256).`;
    case 'identity-mismatch':
      return `warning: the catalog's ${event.serverId} answered HELLO as server=${escapeForTerminal(event.answeredAs)}: check the ports in the catalog.`;
  }
}

export interface RendererOptions {
  servers: readonly JourneyServer[];
  serveCommand: string;
  /** A song id of the catalog, for "type a song id (e.g. …)". */
  exampleSongId: string;
}

/** Routes journey events to the screen, each as it happens; the outcome's closing lines at the end. */
export class JourneyRenderer {
  private download: DownloadProgressView | undefined;
  private stream: StreamView | undefined;

  constructor(
    private readonly screen: Screen,
    private readonly options: RendererOptions,
  ) {}

  readonly onEvent = (event: JourneyEvent): void => {
    const line = (text: string) => this.screen.line(text);
    switch (event.type) {
      case 'song':
        return;
      case 'not-in-catalog':
        return line(`${showQuery(event.songId)} is not in the catalog; asking the servers anyway.`);
      case 'asking': {
        const n = event.servers.length;
        return line(`Asking ${n === 2 ? 'both servers' : `${n} servers`} for ${event.songId}…`);
      }
      case 'answers':
        for (const answer of event.answers) line(`  ${describeAnswer(answer)}`);
        return;
      case 'answer-mismatch':
        return line(
          `warning: ${event.serverId} says the song is ${event.bytes} bytes (sha256 ${shortSha(event.sha256)}) but the catalog says ${event.catalogBytes} bytes (sha256 ${shortSha(event.catalogSha256)}): not using ${event.serverId}.`,
        );
      case 'choice':
        return line(describeChoice(event.choice, this.options.servers));
      case 'action':
        return;
      case 'transfer-started':
        if (event.action === 'download') {
          this.download = new DownloadProgressView(this.screen);
          return line(`Downloading ${describeSong(event.song)} from ${event.serverId}${event.file ? ` to ${showPath(event.file)}` : ''}…`);
        }
        this.stream = new StreamView(this.screen);
        return line(
          `Streaming ${describeSong(event.song)} from ${event.serverId} (${event.song.bitrateKbps} kbit/s, ${formatElapsed(event.song.durationSec * 1000)} of audio)…`,
        );
      case 'progress':
        this.download?.update(event);
        return;
      case 'resuming': {
        const where = event.toServerId === event.fromServerId ? `${event.toServerId} again` : event.toServerId;
        return line(`Connection to ${event.fromServerId} lost at ${formatBytes(event.atBytes)}; resuming from ${where}…`);
      }
      case 'playback':
        this.stream?.update(event.snapshot);
        return;
      case 'playback-change':
        this.stream?.change(event.change, event.snapshot);
        return;
      case 'verified': {
        this.endLive();
        const t = event.transfer;
        const rate = t.totalMs > 0 ? `, ${formatBytes((t.bytes * 1000) / t.totalMs)}/s` : '';
        const resumed = t.resumes > 0 ? ` (${count(t.resumes, 'resume')}, ${count(t.failovers, 'failover')})` : '';
        line(
          `${event.action === 'download' ? 'Downloaded' : 'Streamed'} ${formatBytes(t.bytes)} from ${t.servedBy.join(' then ')} in ${formatElapsed(t.totalMs)}${rate}${resumed}.`,
        );
        return line(`Verified: sha256 matches the catalog (${shortSha(t.sha256)})`);
      }
      case 'saved':
        return line(`Saved to ${showPath(event.file)}`);
      case 'transfer-failed':
        this.endLive();
        return line(`Transfer failed: ${safeText(event.error.describe())}`);
      default:
        return assertNever(event, 'journey event');
    }
  };

  /** The closing lines of a journey (the events have told the rest). */
  outcome(outcome: JourneyOutcome): void {
    this.endLive(); // a cancelled transfer leaves its live line behind
    const line = (text: string) => this.screen.line(text);
    switch (outcome.status) {
      case 'bad-query':
        return line(describeProblem(outcome.problem, this.options.exampleSongId));
      case 'unknown-song':
        line(`No song called ${showQuery(outcome.query)} in the catalog.`);
        return line(
          outcome.suggestions.length > 0 ? describeSuggestions(outcome.suggestions) : `Type a song id (e.g. ${this.options.exampleSongId}) or a title.`,
        );
      case 'ambiguous':
        return line(
          `Several songs are called ${showQuery(outcome.query)}: ${outcome.songs.map((s) => `${s.id} (by ${escapeForTerminal(s.artist)})`).join(', ')}. Type the id of the one you want.`,
        );
      case 'cancelled':
        return this.cancelled(outcome);
      case 'failed':
        return;
      case 'verified':
        if (outcome.playback) for (const text of describePlaybackSummary(outcome.playback)) line(text);
        return;
      default:
        return assertNever(outcome, 'journey outcome');
    }
  }

  private cancelled(outcome: Extract<JourneyOutcome, { status: 'cancelled' }>): void {
    const line = (text: string) => this.screen.line(text);
    switch (outcome.reason) {
      case 'absent':
        line(ABSENT_SENTENCE);
        if (outcome.suggestions.length > 0) line(describeSuggestions(outcome.suggestions));
        return;
      case 'unavailable': {
        const down = outcome.unavailable.join(' and ');
        return line(
          `No reachable server has the song, but ${down} could not be asked and may hold it. Start it with '${this.options.serveCommand}' and try again.`,
        );
      }
      case 'unreachable':
        for (const text of describeAllDown(
          outcome.answers.map((a) => ({
            server: a.server,
            reason: a.answer.outcome === 'unavailable' ? describeUnreachable(a.answer.error, a.answer.message) : a.answer.outcome,
          })),
          this.options.serveCommand,
        )) {
          line(text);
        }
        return;
      case 'not-in-catalog': {
        const holders = outcome.answers.filter((a) => a.answer.outcome === 'exist').map((a) => a.server.id);
        return line(
          `${holders.join(' and ')} ${holders.length === 1 ? 'says it holds' : 'say they hold'} ${outcome.songId}, but your catalog does not list it: it is out of date, and there is no sha256 to verify the song against. Not transferring it.`,
        );
      }
      case 'catalog-mismatch':
        return line('Every server that has the song disagrees with the catalog about its size or sha256: not transferring it.');
      case 'interrupted':
        return line('Cancelled.');
      default:
        return assertNever(outcome.reason, 'cancel reason');
    }
  }

  private endLive(): void {
    this.download?.end();
    this.stream?.end();
    this.download = undefined;
    this.stream = undefined;
  }
}
