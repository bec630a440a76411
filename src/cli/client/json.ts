// `jukebox client get --json`: the outcome of one journey as one JSON document, for scripts.
import type { CatalogSong } from '../../catalog/types.js';
import type { JourneyOutcome } from '../../client/journey.js';
import type { ServerAnswer } from '../../client/journey-session.js';
import { exitCodeOf } from './exit-codes.js';

export const CLIENT_JSON_SCHEMA = 'jukebox-client/1';

function songJson(song: CatalogSong) {
  return {
    id: song.id,
    title: song.title,
    artist: song.artist,
    bytes: song.bytes,
    sha256: song.sha256,
    bitrateKbps: song.bitrateKbps,
    durationSec: song.durationSec,
  };
}

function answerJson({ server, answer }: ServerAnswer) {
  const base = { server: server.id, host: server.host, port: server.port, outcome: answer.outcome };
  switch (answer.outcome) {
    case 'exist':
      return {
        ...base,
        bytes: answer.bytes,
        sha256: answer.sha256,
        latencyMs: answer.latencyMs,
        ...(answer.active === undefined ? {} : { active: answer.active }),
      };
    case 'not_exist':
      return { ...base, latencyMs: answer.latencyMs };
    case 'unavailable':
      return {
        ...base,
        error: answer.error,
        ...(answer.message === undefined ? {} : { message: answer.message }),
        ...(answer.latencyMs === undefined ? {} : { latencyMs: answer.latencyMs }),
      };
  }
}

/** Everything a script may want: song, answers with latencies, the server chosen, bytes, verification, resumes, timings. */
export function outcomeJson(outcome: JourneyOutcome, catalogVersion: string): Record<string, unknown> {
  const head = { schema: CLIENT_JSON_SCHEMA, status: outcome.status, exitCode: exitCodeOf(outcome), catalogVersion };
  switch (outcome.status) {
    case 'bad-query':
      return { ...head, query: outcome.query, problem: outcome.problem };
    case 'unknown-song':
      return { ...head, query: outcome.query, suggestions: outcome.suggestions.map((s) => s.id) };
    case 'ambiguous':
      return { ...head, query: outcome.query, candidates: outcome.songs.map((s) => s.id) };
    case 'cancelled':
      return {
        ...head,
        reason: outcome.reason,
        song: outcome.song ? songJson(outcome.song) : { id: outcome.songId },
        answers: outcome.answers.map(answerJson),
        unavailable: outcome.unavailable,
        suggestions: outcome.suggestions.map((s) => s.id),
        timings: outcome.timings,
      };
    case 'verified':
    case 'failed': {
      const t = outcome.transfer;
      return {
        ...head,
        song: songJson(outcome.song),
        answers: outcome.answers.map(answerJson),
        server: outcome.choice.serverId,
        choice: outcome.choice,
        action: outcome.action,
        bytes: t?.bytes ?? 0,
        sha256: outcome.status === 'verified' ? outcome.sha256 : null,
        verified: outcome.status === 'verified',
        resumes: t?.resumes ?? 0,
        failovers: t?.failovers ?? 0,
        servedBy: t?.servedBy ?? [],
        segments: t?.segments ?? [],
        file: outcome.file ?? null,
        playback: outcome.playback ?? null,
        timings: outcome.timings,
        ...(outcome.status === 'failed'
          ? { error: { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.hint ? { hint: outcome.error.hint } : {}) } }
          : {}),
      };
    }
  }
}
