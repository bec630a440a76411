// The interactive client's journey as library functions: find the song, ask every server at once,
// choose one, then download or stream it verified (resuming on the other server after a break),
// simulating playback for a stream. It prints nothing: it emits typed events and returns a typed
// outcome, and a CLI (or a test) renders them.
import { join, resolve } from 'node:path';
import type { CatalogSong } from '../catalog/types.js';
import { JukeboxError } from '../errors.js';
import { isSongId } from '../protocol/constants.js';
import { createRng, type Rng } from '../util/rng.js';
import { chooseServer, type ChoiceReason, type ServerPreference } from './choice.js';
import { DEFAULT_DOWNLOAD_DIR, downloadFileName, PartFile } from './journey-file.js';
import { PlaybackSimulation, StreamAudio, type PlaybackChange, type PlaybackSnapshot, type PlaybackSummary } from './journey-playback.js';
import type { ClientSession, JourneyServer, ServerAnswer } from './journey-session.js';
import { DEFAULT_MAX_RESUMES } from './limits.js';
import { checkQuery, findSong, type QueryProblem } from './song-search.js';
import { transferSong, type TransferOutcome, type TransferSink } from './transfer.js';

/** While a stream plays, how often the playback view is refreshed even when no byte arrives (so a stall shows live). */
export const PLAYBACK_TICK_MS = 200;

export type TransferAction = 'download' | 'stream';

/** What the user is offered when several servers hold the song. */
export interface ServerOffer {
  song: CatalogSong;
  /** The holders, in catalog order. */
  holders: ServerAnswer[];
  /** What chooseServer picks: the preferred server, else the fastest CHECK. */
  defaultServerId: string;
  defaultReason: ChoiceReason;
}

export interface JourneyChoice {
  serverId: string;
  /** `user`: picked when offered; else how chooseServer decided. */
  reason: ChoiceReason | 'user';
  defaultServerId: string;
  /** The chosen server, then where to resume if it fails. */
  order: string[];
}

export interface TransferTimings {
  /** Asking every server (CHECK round). */
  askMs: number;
  /** From the transfer's request to its first body byte; -1 if none came. */
  ttfbMs: number;
  transferMs: number;
  /** The whole journey, the user's choices included. */
  totalMs: number;
}

export type JourneyEvent =
  | { type: 'song'; song: CatalogSong; by: 'id' | 'title' | 'artist-title' }
  /** A valid song id the catalog does not know: the servers are asked anyway (they are the truth about what they hold). */
  | { type: 'not-in-catalog'; songId: string; suggestions: CatalogSong[] }
  | { type: 'asking'; songId: string; servers: readonly JourneyServer[] }
  | { type: 'answers'; songId: string; answers: ServerAnswer[]; askMs: number }
  /** A server's EXIST disagrees with the catalog's size or sha256: it is not used. */
  | { type: 'answer-mismatch'; serverId: string; bytes: number; sha256: string; catalogBytes: number; catalogSha256: string }
  | { type: 'choice'; choice: JourneyChoice }
  | { type: 'action'; action: TransferAction }
  | { type: 'transfer-started'; action: TransferAction; serverId: string; song: CatalogSong; file?: string }
  | { type: 'progress'; receivedBytes: number; totalBytes: number; serverId: string; elapsedMs: number }
  /** The connection broke at `atBytes` (or the server lacked the song): the next request starts there. */
  | { type: 'resuming'; fromServerId: string; toServerId: string; atBytes: number; attempt: number }
  | { type: 'playback'; snapshot: PlaybackSnapshot }
  | { type: 'playback-change'; change: PlaybackChange; snapshot: PlaybackSnapshot }
  /** Every byte arrived and its sha256 is the catalog's. */
  | { type: 'verified'; action: TransferAction; transfer: VerifiedTransfer }
  | { type: 'saved'; file: string; bytes: number }
  | { type: 'transfer-failed'; error: JukeboxError };

export type VerifiedTransfer = Extract<TransferOutcome, { status: 'verified' }>;

export interface JourneyRequest {
  /** What the user typed: a song id or title. */
  query: string;
  /** Fixed action; else hooks.chooseAction, else download. */
  action?: TransferAction;
  /** The default when several servers hold the song; default 'fastest'. */
  prefer?: ServerPreference;
  /** For prefer = random. */
  rng?: Rng;
  /** Downloads go to `<outDir>/<artist> - <title>.mp3`; default DEFAULT_DOWNLOAD_DIR (relative to the current directory). */
  outDir?: string;
  /** Save to exactly this file instead (a download, or a stream's bytes as they arrive). */
  outFile?: string;
  /** Where the song's bytes go as they arrive, download or stream, instead of a file (`--out -`: stdout). Its owner ends it. */
  sink?: TransferSink;
  /** Playback speed of a stream's simulated listener; default 1 (real time). */
  playbackSpeed?: number;
  maxResumes?: number;
  /** Abort cancels the journey: a transfer in progress is cut and its partial file removed. */
  signal?: AbortSignal;
  playbackTickMs?: number;
}

export interface JourneyHooks {
  onEvent?: (event: JourneyEvent) => void;
  /** Asked when several servers hold the song; returns a holder's id. Absent: the default is taken. */
  chooseServer?: (offer: ServerOffer) => Promise<string>;
  /** Asked when the request fixes no action. */
  chooseAction?: (song: CatalogSong) => Promise<TransferAction>;
}

/**
 * Why nothing was transferred: `absent` every server answered NOT_EXIST; `unavailable` none said
 * EXIST but some could not answer; `unreachable` no server could answer; `not-in-catalog` a server
 * holds an id the catalog does not list (nothing to verify it against); `catalog-mismatch` every
 * holder's EXIST disagrees with the catalog; `interrupted` the user cancelled.
 */
export type CancelReason = 'absent' | 'unavailable' | 'unreachable' | 'not-in-catalog' | 'catalog-mismatch' | 'interrupted';

interface Asked {
  songId: string;
  song: CatalogSong | undefined;
  answers: ServerAnswer[];
  /** Did-you-mean songs when the id is not in the catalog. */
  suggestions: CatalogSong[];
  timings: TransferTimings;
}

interface Transferred extends Asked {
  song: CatalogSong;
  choice: JourneyChoice;
  action: TransferAction;
  /** transferSong's figures; absent when the transfer could not begin (e.g. the output file). */
  transfer?: TransferOutcome;
  /** The saved file (download). */
  file?: string;
  /** A stream's playback figures. */
  playback?: PlaybackSummary;
}

export type JourneyOutcome =
  | { status: 'bad-query'; query: string; problem: QueryProblem }
  | { status: 'unknown-song'; query: string; suggestions: CatalogSong[] }
  | { status: 'ambiguous'; query: string; songs: CatalogSong[] }
  | (Asked & { status: 'cancelled'; reason: CancelReason; unavailable: string[] })
  | (Transferred & { status: 'verified'; transfer: TransferOutcome; sha256: string })
  | (Transferred & { status: 'failed'; error: JukeboxError });

/** One song's journey, from the typed name to a verified file or a finished stream. Never throws for a server's failure. */
export async function runJourney(session: ClientSession, request: JourneyRequest, hooks: JourneyHooks = {}): Promise<JourneyOutcome> {
  const emit = hooks.onEvent ?? noop;
  const clock = session.clock;
  const startedAt = clock.now();
  const checked = checkQuery(request.query);
  if (!checked.ok) return { status: 'bad-query', query: request.query, problem: checked.problem };
  const query = checked.query;

  const match = findSong(session.catalog.catalog, query);
  let song: CatalogSong | undefined;
  let suggestions: CatalogSong[] = [];
  if (match.kind === 'ambiguous') return { status: 'ambiguous', query, songs: match.songs };
  if (match.kind === 'found') {
    song = match.song;
    emit({ type: 'song', song, by: match.by });
  } else if (isSongId(query)) {
    suggestions = match.suggestions;
    emit({ type: 'not-in-catalog', songId: query, suggestions });
  } else {
    return { status: 'unknown-song', query, suggestions: match.suggestions };
  }
  const songId = song?.id ?? query;

  emit({ type: 'asking', songId, servers: session.servers });
  const askStart = clock.now();
  const answers = await session.ask(songId);
  const timings: TransferTimings = { askMs: clock.now() - askStart, ttfbMs: -1, transferMs: 0, totalMs: 0 };
  emit({ type: 'answers', songId, answers, askMs: timings.askMs });
  const asked: Asked = { songId, song, answers, suggestions, timings };
  const cancel = (reason: CancelReason, unavailable: string[] = []): JourneyOutcome => {
    timings.totalMs = clock.now() - startedAt;
    return { ...asked, status: 'cancelled', reason, unavailable };
  };

  if (answers.every((a) => a.answer.outcome === 'unavailable'))
    return cancel(
      'unreachable',
      answers.map((a) => a.server.id),
    );
  const trusted = song === undefined ? answers : dropMismatches(song, answers, emit);
  const choice = chooseServer(
    trusted.map((a) => a.answer),
    request.prefer ?? 'fastest',
    request.rng ?? createRng(0),
  );
  if (choice.decision === 'cancel') {
    const disagreeing = trusted.length !== answers.length && choice.reason === 'absent' && answers.some((a) => a.answer.outcome === 'exist');
    if (disagreeing) return cancel('catalog-mismatch');
    return cancel(choice.reason, choice.unavailable);
  }
  if (song === undefined) return cancel('not-in-catalog');
  if (request.signal?.aborted) return cancel('interrupted');

  const holders = trusted.filter((a) => choice.order.includes(a.server.id));
  let serverId = choice.serverId;
  let reason: JourneyChoice['reason'] = choice.reason;
  if (holders.length > 1 && hooks.chooseServer) {
    const picked = await hooks.chooseServer({ song, holders, defaultServerId: choice.serverId, defaultReason: choice.reason });
    if (!choice.order.includes(picked))
      throw new JukeboxError('E_BAD_ARGUMENT', `server ${JSON.stringify(picked)} does not hold ${song.id}; holders: ${choice.order.join(', ')}`);
    serverId = picked;
    reason = 'user';
  }
  const journeyChoice: JourneyChoice = {
    serverId,
    reason,
    defaultServerId: choice.serverId,
    order: [serverId, ...choice.order.filter((id) => id !== serverId)],
  };
  emit({ type: 'choice', choice: journeyChoice });
  if (request.signal?.aborted) return cancel('interrupted');

  const action = request.action ?? (hooks.chooseAction ? await hooks.chooseAction(song) : 'download');
  emit({ type: 'action', action });
  if (request.signal?.aborted) return cancel('interrupted');

  const done = await transfer(session, { ...asked, song, choice: journeyChoice, action }, request, emit);
  timings.totalMs = clock.now() - startedAt;
  if (done.status === 'failed' && request.signal?.aborted) return { ...asked, song, status: 'cancelled', reason: 'interrupted', unavailable: [] };
  return done;
}

/** Holders whose EXIST disagrees with the catalog cannot deliver the catalog's song. */
function dropMismatches(song: CatalogSong, answers: ServerAnswer[], emit: (e: JourneyEvent) => void): ServerAnswer[] {
  return answers.filter(({ server, answer }) => {
    if (answer.outcome !== 'exist' || (answer.bytes === song.bytes && answer.sha256 === song.sha256)) return true;
    emit({ type: 'answer-mismatch', serverId: server.id, bytes: answer.bytes, sha256: answer.sha256, catalogBytes: song.bytes, catalogSha256: song.sha256 });
    return false;
  });
}

type Planned = Omit<Transferred, 'transfer' | 'file' | 'playback'>;

async function transfer(session: ClientSession, planned: Planned, request: JourneyRequest, emit: (e: JourneyEvent) => void): Promise<JourneyOutcome> {
  const { song, action, choice, timings } = planned;
  const clock = session.clock;
  const signal = request.signal;
  let output: PartFile | undefined;
  if (!request.sink && (action === 'download' || request.outFile !== undefined)) {
    const file = resolve(request.outFile ?? join(request.outDir ?? DEFAULT_DOWNLOAD_DIR, downloadFileName(song)));
    try {
      output = await PartFile.open(file);
    } catch (err) {
      const error = new JukeboxError('E_BAD_ARGUMENT', `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
        hint: 'choose a folder you can write to with --out-dir',
        cause: err,
      });
      emit({ type: 'transfer-failed', error });
      return { ...planned, status: 'failed', error };
    }
  }
  const startedAt = clock.now();
  // The listener counts audio by the MP3 frames received, as a decoder would.
  const audio = action === 'stream' ? new StreamAudio() : undefined;
  const playback = audio
    ? new PlaybackSimulation({
        bitrateKbps: song.bitrateKbps,
        totalBytes: song.bytes,
        durationSec: song.durationSec,
        playbackSpeed: request.playbackSpeed ?? 1,
        startMs: startedAt,
        audio,
      })
    : undefined;
  const target = output?.sink ?? request.sink;
  // The bytes reach the listener's frame scan first, then their destination (a file, stdout), if any.
  const sink: TransferSink | undefined = audio
    ? {
        write: (chunk) => (audio.push(chunk), target ? target.write(chunk) : true),
        ...(target?.once ? { once: (event, listener) => target.once?.(event, listener) } : {}),
      }
    : target;
  const showPlayback = (changes: PlaybackChange[], now: number) => {
    if (!playback) return;
    const snapshot = playback.snapshot(now);
    for (const change of changes) emit({ type: 'playback-change', change, snapshot });
    emit({ type: 'playback', snapshot });
  };

  // Each attempt after the first is a resume: tell the user where it broke and where it goes on.
  let attempts = 0;
  let lastServer = choice.serverId;
  let received = 0;
  const beforeConnect = (serverId: string) => {
    if (signal?.aborted) throw new JukeboxError('E_CLOSED', 'the transfer was cancelled');
    if (attempts++ > 0) emit({ type: 'resuming', fromServerId: lastServer, toServerId: serverId, atBytes: received, attempt: attempts - 1 });
    lastServer = serverId;
  };
  const onAbort = () => session.destroyConnections();
  signal?.addEventListener('abort', onAbort, { once: true });
  const ticker = playback ? setInterval(() => showPlayback(playback.advance(clock.now()), clock.now()), request.playbackTickMs ?? PLAYBACK_TICK_MS) : undefined;

  emit({ type: 'transfer-started', action, serverId: choice.serverId, song, ...(output ? { file: output.file } : {}) });
  let outcome: TransferOutcome;
  try {
    outcome = await transferSong({
      song,
      verb: action === 'download' ? 'GET' : 'STREAM',
      sources: choice.order.map((id) => session.source(id, beforeConnect)),
      ...(sink ? { sink } : {}),
      maxResumes: request.maxResumes ?? DEFAULT_MAX_RESUMES,
      clock,
      onProgress: (bytes, total, serverId) => {
        received = bytes;
        lastServer = serverId;
        const now = clock.now();
        emit({ type: 'progress', receivedBytes: bytes, totalBytes: total, serverId, elapsedMs: now - startedAt });
        if (playback) showPlayback(playback.receive(bytes, now), now);
      },
    });
  } finally {
    if (ticker) clearInterval(ticker);
    signal?.removeEventListener('abort', onAbort);
  }
  timings.ttfbMs = outcome.ttfbMs;
  timings.transferMs = outcome.totalMs;

  let summary: PlaybackSummary | undefined;
  if (playback && outcome.status === 'verified') {
    const now = clock.now();
    const finished = playback.finish(now);
    summary = finished.summary;
    showPlayback(finished.changes, now);
  }
  const result: Transferred = { ...planned, transfer: outcome, ...(summary ? { playback: summary } : {}) };
  if (outcome.status === 'failed') {
    await output?.discard();
    // A cancelled transfer is the user's doing, not a failure to report.
    if (!signal?.aborted) emit({ type: 'transfer-failed', error: outcome.error });
    return { ...result, status: 'failed', error: outcome.error };
  }
  emit({ type: 'verified', action, transfer: outcome });
  if (output) {
    try {
      await output.keep();
    } catch (err) {
      await output.discard();
      const error = new JukeboxError('E_INTERNAL', `cannot save ${output.file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      emit({ type: 'transfer-failed', error });
      return { ...result, status: 'failed', error };
    }
    emit({ type: 'saved', file: output.file, bytes: outcome.bytes });
    result.file = output.file;
  }
  return { ...result, status: 'verified', transfer: outcome, sha256: outcome.sha256 };
}

function noop(): void {}
