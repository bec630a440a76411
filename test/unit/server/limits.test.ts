// Server limits: defaults filled in once, every bad value reported together.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits, resolveStreamSpeed } from '../../../src/server/limits.js';

describe('limits', () => {
  it('fills in every default', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxConnections: 5 })).toEqual({ ...DEFAULT_LIMITS, maxConnections: 5 });
  });

  it('reports every bad or unknown limit in one error', () => {
    let message = '';
    try {
      resolveLimits({ maxConnections: 0, lineTimeoutMs: 1.5, bogus: 3 } as never);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('maxConnections');
    expect(message).toContain('lineTimeoutMs');
    expect(message).toContain('bogus');
  });

  it('stream speed must be a positive number', () => {
    expect(resolveStreamSpeed(undefined)).toBe(1);
    expect(resolveStreamSpeed(0.5)).toBe(0.5);
    expect(() => resolveStreamSpeed(0)).toThrow(/stream speed/);
    expect(() => resolveStreamSpeed(Number.NaN)).toThrow(/stream speed/);
  });
});
