// `jukebox client get` exit codes: 0 done, 2 no server holds the song (the documented exception),
// 3 no server could be reached, 130 interrupted, 1 anything else.
import type { JourneyOutcome } from '../../client/journey.js';
import { EXIT } from '../exit-codes.js';

export const CLIENT_EXIT = { DONE: EXIT.OK, FAILED: EXIT.FAILED, NOT_FOUND: EXIT.USAGE, UNREACHABLE: EXIT.ENVIRONMENT, INTERRUPTED: EXIT.INTERRUPTED } as const;

export function exitCodeOf(outcome: JourneyOutcome): number {
  switch (outcome.status) {
    case 'verified':
      return CLIENT_EXIT.DONE;
    case 'unknown-song':
      // Not in the catalog and not even a song id: no server can hold it.
      return CLIENT_EXIT.NOT_FOUND;
    case 'cancelled':
      return cancelledExit(outcome.reason);
    case 'bad-query':
    case 'ambiguous':
    case 'failed':
      return CLIENT_EXIT.FAILED;
  }
}

function cancelledExit(reason: Extract<JourneyOutcome, { status: 'cancelled' }>['reason']): number {
  switch (reason) {
    case 'absent':
      // Only "every server answered NOT_EXIST" means no server holds it; a server down means we do not know.
      return CLIENT_EXIT.NOT_FOUND;
    case 'unreachable':
      // No server could answer at all: the environment stopped it (contract: servers unreachable, exit 3).
      return CLIENT_EXIT.UNREACHABLE;
    case 'interrupted':
      return CLIENT_EXIT.INTERRUPTED;
    case 'unavailable':
    case 'not-in-catalog':
    case 'catalog-mismatch':
      return CLIENT_EXIT.FAILED;
  }
}
