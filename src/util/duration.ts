// Durations as people write them ("250ms", "5s", "2m") to milliseconds, and the bounds a
// duration must keep to be waited for.

/**
 * The longest delay Node's timers hold: setTimeout keeps it as a signed 32-bit count of ms, and a
 * longer one fires after 1 ms (with only a TimeoutOverflowWarning). No duration a user writes may
 * pass it: a timer asked for 1000h must never fire at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Timers count whole milliseconds: a wait shorter than this cannot be honoured, only rounded. */
export const CLOCK_RESOLUTION_MS = 1;

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** Parses "250ms", "1.5s", "2m", "1h"; a bare number is milliseconds. Returns undefined if malformed. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS_MS[m[2] ?? 'ms'] ?? 1);
}

/** A bound in ms the way people read it: "2147483647ms (about 24.9 days)", "30000ms (30s)". */
export function describeMs(ms: number): string {
  const about = (n: number, unit: string) => `${Number.isInteger(n) ? '' : 'about '}${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
  if (ms >= 86_400_000) return `${ms}ms (${about(ms / 86_400_000, 'days')})`;
  if (ms >= 3_600_000) return `${ms}ms (${about(ms / 3_600_000, 'h')})`;
  if (ms >= 1000) return `${ms}ms (${about(ms / 1000, 's')})`;
  return `${ms}ms`;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)}ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
