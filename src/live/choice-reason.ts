// A client's choice of server in words, for the live view and the trace: `only s1 holds it`,
// `both: s2 answered 0.4 ms faster`, `neither: cancelled`. Pure: the answers and the decision in, text out.
import type { CheckAnswer, ChoiceResult } from '../client/choice.js';

export function choiceReason(answers: readonly CheckAnswer[], choice: ChoiceResult): string {
  if (choice.decision === 'cancel') {
    if (choice.reason === 'absent') return 'neither: cancelled';
    const why = answers
      .filter((a): a is Extract<CheckAnswer, { outcome: 'unavailable' }> => a.outcome === 'unavailable')
      .map((a) => `${a.serverId} ${a.error.replace(/^E_/, '').toLowerCase()}`);
    return `neither: failed (${why.join(', ')})`;
  }
  const holders = answers.filter((a): a is Extract<CheckAnswer, { outcome: 'exist' }> => a.outcome === 'exist');
  const chosen = holders.find((h) => h.serverId === choice.serverId);
  if (holders.length <= 1 || !chosen) {
    // A server that could not answer may hold it too: say so, rather than that only one holds it.
    const silent = answers.filter((a) => a.outcome === 'unavailable').map((a) => `${a.serverId}: ${a.error.replace(/^E_/, '').toLowerCase()}`);
    return `only ${choice.serverId} holds it${silent.length > 0 ? ` (${silent.join(', ')})` : ''}`;
  }
  const others = holders.filter((h) => h !== chosen);
  const who = holders.length === 2 ? 'both' : `${holders.length} hold it`;
  const next = others[0] as (typeof holders)[number];
  switch (choice.reason) {
    case 'fastest':
      return `${who}: ${chosen.serverId} answered ${formatMs(Math.max(0, next.latencyMs - chosen.latencyMs))} ms faster`;
    case 'least-loaded':
      return `${who}: ${chosen.serverId} had fewer active transfers (${chosen.active ?? '?'} vs ${next.active ?? '?'})`;
    case 'random':
      return `${who}: ${chosen.serverId} drawn at random`;
    case 'preferred':
      return `${who}: ${chosen.serverId} is preferred`;
    case 'preferred-lacks-song':
      return `${who}: the preferred server lacks it; ${chosen.serverId} answered fastest`;
    default:
      return `${who}: ${chosen.serverId}`;
  }
}

/** 0.4, 12, 130: one decimal below 10 ms, whole ms above. */
function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}
