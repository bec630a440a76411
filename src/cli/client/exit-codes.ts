// `jukebox client get` exit codes: 0 done, 2 no server holds the song, 1 anything else.
import type { JourneyOutcome } from '../../client/journey.js';

export const CLIENT_EXIT = { DONE: 0, FAILED: 1, NOT_FOUND: 2 } as const;

export function exitCodeOf(outcome: JourneyOutcome): number {
  switch (outcome.status) {
    case 'verified':
      return CLIENT_EXIT.DONE;
    case 'unknown-song':
      // Not in the catalog and not even a song id: no server can hold it.
      return CLIENT_EXIT.NOT_FOUND;
    case 'cancelled':
      // Only "every server answered NOT_EXIST" means no server holds it; a server down means we do not know.
      return outcome.reason === 'absent' ? CLIENT_EXIT.NOT_FOUND : CLIENT_EXIT.FAILED;
    case 'bad-query':
    case 'ambiguous':
    case 'failed':
      return CLIENT_EXIT.FAILED;
  }
}
