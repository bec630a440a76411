// Deterministic signal arithmetic for the song synthesizer.
//
// The generated files must be byte-identical on every machine (catalog.json commits their sha256),
// so the synthesizer uses only + - * / and Math.floor on doubles, which IEEE 754 makes exact and
// the same everywhere. Math.sin, Math.exp and Math.pow are not specified that tightly (an engine
// may change its approximation), so sines come from a table filled by a Taylor series written
// here, decays from a polynomial, and pitches from literal frequency ratios.

export const SAMPLE_RATE_HZ = 44100;

/** Sine table size: with linear interpolation the error is below 3e-7, far under 16-bit noise. */
const SINE_TABLE_SIZE = 4096;
const PI = 3.141592653589793;

/** sin(x) for x in [-pi, pi] by its Taylor series (24 terms: below 1e-16 on that range). */
function taylorSin(x: number): number {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let k = 1; k < 24; k++) {
    term = (-term * x2) / (2 * k * (2 * k + 1));
    sum += term;
  }
  return sum;
}

/** One period of a sine, plus a guard entry so that interpolation never wraps. */
const SINE_TABLE: Float64Array = (() => {
  const table = new Float64Array(SINE_TABLE_SIZE + 1);
  for (let i = 0; i <= SINE_TABLE_SIZE; i++) {
    // Reduce to [-pi, pi] so that the series converges fast.
    const x = (2 * PI * i) / SINE_TABLE_SIZE;
    table[i] = taylorSin(x > PI ? x - 2 * PI : x);
  }
  return table;
})();

/** sin(2 pi phase) for a phase in cycles (any real number). */
export function sineOfPhase(phase: number): number {
  const cycles = phase - Math.floor(phase);
  const position = cycles * SINE_TABLE_SIZE;
  const index = Math.floor(position);
  const frac = position - index;
  const a = SINE_TABLE[index] ?? 0;
  const b = SINE_TABLE[index + 1] ?? 0;
  return a + (b - a) * frac;
}

/**
 * The per-sample factor of an exponential decay with time constant `seconds` (the level falls to
 * 1/e after that long): exp(-1 / (seconds * 44100)) by its series; the shortest time constant
 * used (18 ms) makes x at most 1.3e-3, where the error of four terms is below 1e-16.
 */
export function decayFactor(seconds: number): number {
  const x = 1 / (seconds * SAMPLE_RATE_HZ);
  return 1 - x + (x * x) / 2 - (x * x * x) / 6 + (x * x * x * x) / 24;
}

/** 2^(k/12) for k = 0..11, as literal doubles (equal temperament). */
const SEMITONE_RATIOS = [
  1, 1.0594630943592953, 1.122462048309373, 1.189207115002721, 1.2599210498948732, 1.3348398541700344, 1.4142135623730951, 1.4983070768766815,
  1.5874010519681994, 1.6817928305074292, 1.7817974362806788, 1.887748625363387,
] as const;

/** The frequency of a MIDI note (69 = A4 = 440 Hz): octaves by exact doubling or halving. */
export function midiToHz(note: number): number {
  const fromA = note - 69;
  const octaves = Math.floor(fromA / 12);
  let hz = 440 * (SEMITONE_RATIOS[fromA - octaves * 12] ?? 1);
  for (let i = 0; i < octaves; i++) hz *= 2;
  for (let i = 0; i > octaves; i--) hz /= 2;
  return hz;
}

/** xorshift32 noise in [-1, 1): integer arithmetic, the same everywhere. */
export function noiseSource(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x8000_0000 - 1;
  };
}
