// The synthesizer: renders a score's phrase into one period of a looping signal.
//
// Every note is added at its position modulo the phrase's length, so the tail of a note still
// sounding when the phrase ends rings on into the phrase's start, exactly as it would when the
// phrase repeats: the rendered buffer is one period of a seamless loop.
import { decayFactor, noiseSource, SAMPLE_RATE_HZ, sineOfPhase } from './dsp.js';
import type { Harmonics, Score, ScoreNote, Voice } from './compose.js';

/** The loudest sample of the mix, as a fraction of full scale: -4 dBFS leaves room for the encoder's ringing. */
export const PEAK_LEVEL = 0.63;

/** Mix levels of the voices (before the mix is scaled to PEAK_LEVEL). */
const VOICE_GAIN: Readonly<Record<Voice, number>> = {
  lead: 0.3,
  pad: 0.085,
  bass: 0.32,
  kick: 0.5,
  snare: 0.22,
  hat: 0.06,
};

interface Envelope {
  /** Seconds to rise from silence (long enough never to click). */
  attack: number;
  /** Time constant of the fall towards the sustain level, in seconds. */
  decay: number;
  sustain: number;
  /** Time constant of the release after the note's length, and how long the release lasts. */
  release: number;
  releaseSeconds: number;
}

const ENVELOPES: Readonly<Record<'lead' | 'pad' | 'bass', Envelope>> = {
  lead: { attack: 0.012, decay: 0.25, sustain: 0.6, release: 0.08, releaseSeconds: 0.35 },
  pad: { attack: 0.15, decay: 0.6, sustain: 0.75, release: 0.25, releaseSeconds: 0.9 },
  bass: { attack: 0.006, decay: 0.18, sustain: 0.55, release: 0.05, releaseSeconds: 0.2 },
};

const PAD_HARMONICS: Harmonics = [1, 0.18, 0.05];
const BASS_HARMONICS: Harmonics = [1, 0.45, 0.2];
/** The pad's two oscillators are detuned by this ratio for a gentle chorus. */
const PAD_DETUNE = 1.003;
/** The lead's vibrato: rate in Hz, depth as a frequency ratio, and the delay before it starts. */
const VIBRATO_HZ = 5;
const VIBRATO_DEPTH = 0.004;
const VIBRATO_DELAY_SECONDS = 0.18;
/** How many echoes of the lead are added (each echoGain quieter than the one before). */
const ECHO_REPEATS = 4;

/** One period of the phrase's signal, peaking at PEAK_LEVEL. */
export function renderPhrase(score: Score): Float64Array {
  const out = new Float64Array(score.samples);
  const lead = new Float64Array(score.samples);
  let hit = 0;
  for (const note of score.notes) {
    switch (note.voice) {
      case 'lead':
        renderTone(lead, note, score.leadHarmonics, ENVELOPES.lead, true, 1);
        break;
      case 'pad':
        renderTone(out, note, PAD_HARMONICS, ENVELOPES.pad, false, 1);
        renderTone(out, note, PAD_HARMONICS, ENVELOPES.pad, false, PAD_DETUNE);
        break;
      case 'bass':
        renderTone(out, note, BASS_HARMONICS, ENVELOPES.bass, false, 1);
        break;
      case 'kick':
        renderKick(out, note);
        break;
      case 'snare':
        renderSnare(out, note, score.noiseSeed + hit++);
        break;
      case 'hat':
        renderHat(out, note, score.noiseSeed + hit++);
        break;
    }
  }
  mixWithEcho(out, lead, score.echoSamples, score.echoGain);
  normalize(out);
  return out;
}

/** Adds the lead and its echoes (each `gain` quieter, `delay` later, wrapping around the period). */
function mixWithEcho(out: Float64Array, lead: Float64Array, delay: number, gain: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) + (lead[i] ?? 0);
  if (gain === 0) return;
  let level = 1;
  for (let k = 1; k <= ECHO_REPEATS; k++) {
    level *= gain;
    const shift = (k * delay) % n;
    for (let i = 0; i < n; i++) addAt(out, shift, i, level * (lead[i] ?? 0));
  }
}

function normalize(out: Float64Array): void {
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak === 0) return;
  const scale = PEAK_LEVEL / peak;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * scale;
}

/** Adds `value` at position `i` past the note's start, wrapping around the period (a sound is shorter than the period). */
function addAt(out: Float64Array, start: number, i: number, value: number): void {
  let at = start + i;
  if (at >= out.length) at -= out.length;
  out[at] = (out[at] ?? 0) + value;
}

/**
 * A pitched note: harmonics of one phase, an attack-decay-sustain envelope while held, then a
 * release that decays and also ramps linearly to zero, so the note ends without a step.
 */
function renderTone(out: Float64Array, note: ScoreNote, harmonics: Harmonics, env: Envelope, vibrato: boolean, detune: number): void {
  const gain = VOICE_GAIN[note.voice] * note.velocity;
  const attack = Math.floor(env.attack * SAMPLE_RATE_HZ);
  const releaseLength = Math.floor(env.releaseSeconds * SAMPLE_RATE_HZ);
  const decay = decayFactor(env.decay);
  const release = decayFactor(env.release);
  const vibratoStart = Math.floor(VIBRATO_DELAY_SECONDS * SAMPLE_RATE_HZ);
  const increment = (note.hz * detune) / SAMPLE_RATE_HZ;
  const vibratoIncrement = VIBRATO_HZ / SAMPLE_RATE_HZ;
  let phase = 0;
  let vibratoPhase = 0;
  let above = 1 - env.sustain; // the part of the level above sustain, decaying
  let level = 0;
  let releaseLevel = 0;
  for (let i = 0; i < note.length + releaseLength; i++) {
    if (i < note.length) {
      if (i < attack) level = i / attack;
      else {
        level = env.sustain + above;
        above *= decay;
      }
      releaseLevel = level;
    } else {
      const r = i - note.length;
      releaseLevel *= release;
      level = releaseLevel * (1 - r / releaseLength);
    }
    let sample = 0;
    for (let h = 0; h < harmonics.length; h++) {
      const amplitude = harmonics[h] ?? 0;
      if (amplitude !== 0) sample += amplitude * sineOfPhase(phase * (h + 1));
    }
    addAt(out, note.start, i, gain * level * sample);
    let step = increment;
    if (vibrato && i >= vibratoStart) {
      step = increment * (1 + VIBRATO_DEPTH * sineOfPhase(vibratoPhase));
      vibratoPhase += vibratoIncrement;
    }
    phase += step;
    if (phase >= 1) phase -= 1;
  }
}

const KICK_SECONDS = 0.35;
/** A kick: a sine falling from 130 Hz to 45 Hz, with a short attack and a decaying level. */
function renderKick(out: Float64Array, note: ScoreNote): void {
  const gain = VOICE_GAIN.kick * note.velocity;
  const length = Math.floor(KICK_SECONDS * SAMPLE_RATE_HZ);
  const attack = Math.floor(0.002 * SAMPLE_RATE_HZ);
  const pitchFall = decayFactor(0.035);
  const levelFall = decayFactor(0.12);
  let sweep = 85;
  let level = 1;
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const shape = (i < attack ? i / attack : level) * (1 - i / length);
    addAt(out, note.start, i, gain * shape * sineOfPhase(phase));
    phase += (45 + sweep) / SAMPLE_RATE_HZ;
    if (phase >= 1) phase -= 1;
    sweep *= pitchFall;
    if (i >= attack) level *= levelFall;
  }
}

const SNARE_SECONDS = 0.25;
/** A snare: a noise burst over a short 185 Hz body. */
function renderSnare(out: Float64Array, note: ScoreNote, seed: number): void {
  const gain = VOICE_GAIN.snare * note.velocity;
  const noise = noiseSource(seed);
  const length = Math.floor(SNARE_SECONDS * SAMPLE_RATE_HZ);
  const attack = Math.floor(0.001 * SAMPLE_RATE_HZ);
  const noiseFall = decayFactor(0.06);
  const bodyFall = decayFactor(0.04);
  let noiseLevel = 1;
  let bodyLevel = 1;
  let phase = 0;
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const ramp = (i < attack ? i / attack : 1) * (1 - i / length);
    const n = noise();
    // A first difference tilts the noise towards the highs: crisper, less like a hiss of air.
    const bright = 0.5 * n + 0.5 * (n - previous);
    previous = n;
    addAt(out, note.start, i, gain * ramp * (0.8 * noiseLevel * bright + 0.6 * bodyLevel * sineOfPhase(phase)));
    phase += 185 / SAMPLE_RATE_HZ;
    if (phase >= 1) phase -= 1;
    noiseLevel *= noiseFall;
    bodyLevel *= bodyFall;
  }
}

const HAT_SECONDS = 0.09;
/** A closed hi-hat: high-passed noise (a first difference), very short. */
function renderHat(out: Float64Array, note: ScoreNote, seed: number): void {
  const gain = VOICE_GAIN.hat * note.velocity;
  const noise = noiseSource(seed);
  const length = Math.floor(HAT_SECONDS * SAMPLE_RATE_HZ);
  const attack = Math.floor(0.0005 * SAMPLE_RATE_HZ);
  const fall = decayFactor(0.018);
  let level = 1;
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const n = noise();
    const high = 0.5 * (n - previous);
    previous = n;
    addAt(out, note.start, i, gain * (i < attack ? i / attack : level) * (1 - i / length) * high);
    level *= fall;
  }
}
