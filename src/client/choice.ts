// Server choice: one pure function from the CHECK answers and a preference to a decision and a
// failover order. No sockets, no clock: the same answers, preference and seed give the same choice.
import type { ErrorCode } from '../errors.js';
import { randomInt, type Rng } from '../util/rng.js';

/** One server's answer to `CHECK <song>` (see askServers). */
export type CheckAnswer =
  | { serverId: string; outcome: 'exist'; bytes: number; sha256: string; active?: number; latencyMs: number }
  | { serverId: string; outcome: 'not_exist'; latencyMs: number }
  /** Refused, reset, timed out, answered ERR, or broke the protocol: we do not know whether it holds the song. */
  | { serverId: string; outcome: 'unavailable'; error: ErrorCode; message?: string; latencyMs?: number };

/** `fastest`, `random`, `least-loaded`, or a server id to prefer. */
export type ServerPreference = 'fastest' | 'random' | 'least-loaded' | (string & {});

export const PREFERENCE_RULES = ['fastest', 'random', 'least-loaded'] as const;

/** Why this server was chosen. */
export type ChoiceReason = 'only-holder' | 'fastest' | 'random' | 'least-loaded' | 'preferred' | 'preferred-lacks-song';

export type ChoiceResult =
  | {
      decision: 'serve';
      serverId: string;
      reason: ChoiceReason;
      /** Every server that holds the song, best first: the chosen one, then the failover order. */
      order: string[];
      /** `order` without the chosen server: where to resume if it fails. */
      fallback: string[];
    }
  | {
      decision: 'cancel';
      /**
       * `absent`: every server answered NOT_EXIST (or none was asked): the song is not there.
       * `unavailable`: no server said EXIST, but some could not answer: a server is down, which
       * is not the same as the song being absent.
       */
      reason: 'absent' | 'unavailable';
      /** The servers that could not answer (empty when absent). */
      unavailable: string[];
    };

type Holder = Extract<CheckAnswer, { outcome: 'exist' }>;

/**
 * Chooses the server to download from. `answers` must be in catalog order: ties go to the
 * server listed first. `rng` is drawn from only when the preference is `random` and several
 * servers hold the song.
 */
export function chooseServer(answers: readonly CheckAnswer[], prefer: ServerPreference, rng: Rng): ChoiceResult {
  const holders = answers.filter((a): a is Holder => a.outcome === 'exist');
  if (holders.length === 0) {
    const unavailable = answers.filter((a) => a.outcome === 'unavailable').map((a) => a.serverId);
    return { decision: 'cancel', reason: unavailable.length > 0 ? 'unavailable' : 'absent', unavailable };
  }
  const { ranked, reason } = rank(holders, prefer, rng);
  const order = ranked.map((h) => h.serverId);
  const serverId = order[0] as string; // holders is non-empty, so ranked is too
  return { decision: 'serve', serverId, reason: holders.length === 1 ? 'only-holder' : reason, order, fallback: order.slice(1) };
}

function rank(holders: Holder[], prefer: ServerPreference, rng: Rng): { ranked: Holder[]; reason: ChoiceReason } {
  const fastest = byFastest(holders);
  switch (prefer) {
    case 'fastest':
      return { ranked: fastest, reason: 'fastest' };
    case 'random': {
      if (holders.length === 1) return { ranked: holders, reason: 'random' };
      const pick = holders[randomInt(rng, holders.length)] as Holder;
      return { ranked: [pick, ...fastest.filter((h) => h !== pick)], reason: 'random' };
    }
    case 'least-loaded':
      return { ranked: byLeastLoaded(holders), reason: 'least-loaded' };
    default: {
      const preferred = holders.find((h) => h.serverId === prefer);
      if (preferred) return { ranked: [preferred, ...fastest.filter((h) => h !== preferred)], reason: 'preferred' };
      return { ranked: fastest, reason: 'preferred-lacks-song' };
    }
  }
}

/** Lowest CHECK latency first; Array#sort is stable, so ties keep catalog order. */
function byFastest(holders: Holder[]): Holder[] {
  return [...holders].sort((a, b) => a.latencyMs - b.latencyMs);
}

/** Fewest active transfers first (a server that does not say counts as the most loaded); ties by latency, then catalog order. */
function byLeastLoaded(holders: Holder[]): Holder[] {
  const load = (h: Holder) => h.active ?? Number.POSITIVE_INFINITY;
  return [...holders].sort((a, b) => load(a) - load(b) || a.latencyMs - b.latencyMs);
}
