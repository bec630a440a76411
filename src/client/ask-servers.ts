// Asks every server `CHECK <song>` at the same time and turns each outcome into a CheckAnswer:
// a server that is refused, times out, resets or answers ERR is `unavailable`, never an exception.
import { JukeboxError, isJukeboxError } from '../errors.js';
import { isSongId } from '../protocol/constants.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { CheckAnswer } from './choice.js';
import { JukeboxConnection } from './connection.js';
import { DEFAULT_CHECK_TIMEOUT_MS, requireInteger } from './limits.js';

export interface AskServersOptions<S extends { id: string }> {
  /**
   * Gives a connection to one server: a new one or a kept-open one. askServers destroys a
   * connection whose CHECK timed out or broke and leaves healthy ones open: their owner (the
   * one whose connect made them) closes them. A kept-open connection may be given as it is
   * (not in a promise): its CHECK is then sent at once, without waiting a turn for the promise.
   */
  connect: (server: S) => JukeboxConnection | Promise<JukeboxConnection>;
  /** Bound on connect + CHECK for each server, from the call; default DEFAULT_CHECK_TIMEOUT_MS. */
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * One answer per server, in the order of `servers` (catalog order, which chooseServer's ties
 * rely on). `latencyMs` of an answer is the CHECK round trip (sent → answered), connect excluded,
 * so that a kept-open connection and a new one compare fairly.
 */
export function askServers<S extends { id: string }>(song: string, servers: readonly S[], options: AskServersOptions<S>): Promise<CheckAnswer[]> {
  // A bad song id is the caller's mistake, not a server's state: a rejection, not turned into answers.
  if (!isSongId(song))
    return Promise.reject(new JukeboxError('E_BAD_ARGUMENT', `bad song id ${JSON.stringify(song)}`, { hint: 'song ids are the catalog keys, e.g. song2' }));
  let timeoutMs: number;
  try {
    timeoutMs = requireInteger('timeoutMs', options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, 1);
  } catch (err) {
    return Promise.reject(err);
  }
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  // One promise for the round and one callback per server, no Promise.all/race and no async
  // closure per server: on a small-request load this function runs tens of thousands of times a second.
  return new Promise((resolve) => {
    const answers: Array<CheckAnswer | undefined> = new Array<CheckAnswer | undefined>(servers.length);
    const connections: Array<JukeboxConnection | undefined> = new Array<JukeboxConnection | undefined>(servers.length);
    let waiting = servers.length;
    let timedOut = false;
    const finish = () => {
      clearTimeout(timer);
      resolve(servers.map((server, i) => answers[i] ?? lateAnswer(song, server, timeoutMs, connections[i], clock.now() - startedAt)));
    };
    // One timer for the whole round: every server started at the same moment.
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);
    if (waiting === 0) return finish();
    servers.forEach((server, i) => {
      const onConnected = (c: JukeboxConnection) => {
        if (timedOut)
          c.destroy(); // arrived too late: nobody will use it
        else connections[i] = c;
      };
      void askOne(song, server, options.connect, onConnected).then((answer) => {
        if (timedOut) return;
        answers[i] = answer;
        if (--waiting === 0) finish();
      });
    });
  });
}

/** A server still waiting at the deadline: its connection's stream position is lost, so it goes. */
function lateAnswer(song: string, server: { id: string }, timeoutMs: number, connection: JukeboxConnection | undefined, latencyMs: number): CheckAnswer {
  connection?.destroy();
  return {
    serverId: server.id,
    outcome: 'unavailable',
    error: 'E_TIMEOUT',
    message: `no answer to CHECK ${song} from ${server.id} within ${timeoutMs} ms`,
    latencyMs,
  };
}

function askOne<S extends { id: string }>(
  song: string,
  server: S,
  connect: (server: S) => JukeboxConnection | Promise<JukeboxConnection>,
  onConnected: (c: JukeboxConnection) => void,
): Promise<CheckAnswer> {
  let made: JukeboxConnection | Promise<JukeboxConnection>;
  try {
    made = connect(server);
  } catch (err) {
    return Promise.resolve(unavailable(server.id, err));
  }
  if (made instanceof JukeboxConnection) return checkOn(made, song, server.id, onConnected);
  return made.then(
    (connection) => checkOn(connection, song, server.id, onConnected),
    (err: unknown) => unavailable(server.id, err),
  );
}

function checkOn(connection: JukeboxConnection, song: string, serverId: string, onConnected: (c: JukeboxConnection) => void): Promise<CheckAnswer> {
  try {
    onConnected(connection);
    return connection.check(song).then(
      (result): CheckAnswer => {
        if (result.kind === 'not_exist') return { serverId, outcome: 'not_exist', latencyMs: result.totalMs };
        const answer: CheckAnswer = { serverId, outcome: 'exist', bytes: result.bytes, sha256: result.sha256, latencyMs: result.totalMs };
        if (result.active !== undefined) answer.active = result.active;
        return answer;
      },
      (err: unknown) => unavailable(serverId, err),
    );
  } catch (err) {
    return Promise.resolve(unavailable(serverId, err));
  }
}

/** Refused, timed out, reset, ERR, a protocol breach: the server could not answer (never an exception). */
function unavailable(serverId: string, err: unknown): CheckAnswer {
  const error = isJukeboxError(err) ? err : new JukeboxError('E_INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
  return { serverId, outcome: 'unavailable', error: error.code, message: error.message };
}
