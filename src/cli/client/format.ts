// How the client shows numbers and failures: latencies, durations, audio positions, hashes, reasons.
import type { ErrorCode } from '../../errors.js';
import type { JourneyServer } from '../../client/journey-session.js';
import { escapeForTerminal } from '../../util/terminal-text.js';

/**
 * Text from outside (catalog fields, tags, server answers, error texts) made safe for a terminal,
 * line by line: the line breaks of a multi-line message (its hint) stay, every control is escaped.
 */
export function safeText(text: string): string {
  return text.split('\n').map(escapeForTerminal).join('\n');
}

/** Leading hex digits shown of a sha256 (enough to compare by eye). */
export const SHORT_SHA_DIGITS = 12;

export function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A duration a person reads: 3.5 ms, 480 ms, 1.93 s, 42.0 s. */
export function formatElapsed(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** An audio position as a player shows it: 0:42, 12:05. */
export function formatAudioClock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export function shortSha(hex: string): string {
  return `${hex.slice(0, SHORT_SHA_DIGITS)}…`;
}

export function serverLabel(server: Pick<JourneyServer, 'id' | 'host' | 'port'>): string {
  return `${server.id} (${escapeForTerminal(server.host)}:${server.port})`;
}

/** Why a server could not answer, in a few words: "connection refused", "timed out"… */
export function describeUnreachable(code: ErrorCode, message = ''): string {
  switch (code) {
    case 'E_REFUSED':
      if (message.includes('ECONNREFUSED')) return 'connection refused';
      if (message.includes('ENOTFOUND') || message.includes('EAI_AGAIN')) return 'host not found';
      return escapeForTerminal(message.replace(/^cannot connect to \S+: /, '')) || 'cannot connect';
    case 'E_TIMEOUT':
      return 'timed out';
    case 'E_RESET':
      return 'connection reset';
    case 'E_CLOSED':
      return 'connection closed';
    case 'E_PROTOCOL':
      return 'not speaking jukebox/1';
    default:
      return escapeForTerminal(message) || code;
  }
}

/** Plural with its count: 1 stall, 2 stalls. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
