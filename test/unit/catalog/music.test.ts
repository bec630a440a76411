// The composer and the synthesizer, without the encoder: what makes a generated song music that
// loops seamlessly, differs from song to song, and is made the same way on every machine.
import { describe, expect, it } from 'vitest';
import { composeScore, PADDING_PERIOD_FRAMES, SAMPLES_PER_FRAME } from '../../../src/catalog/music/compose.js';
import { decayFactor, midiToHz, sineOfPhase } from '../../../src/catalog/music/dsp.js';
import { PEAK_LEVEL, renderPhrase } from '../../../src/catalog/music/render.js';
import { tilingFor } from '../../../src/catalog/music/tile.js';
import { MPEG1_L3_BITRATES_KBPS } from '../../../src/catalog/schema.js';

const IDS = ['song1', 'song2', 'song3', 'song4', 'song5', 'song6', 'song7', 'song8'];

describe('the deterministic arithmetic', () => {
  it('computes sines, decays and pitches without Math.sin/exp/pow, as close as 16-bit audio can tell', () => {
    for (let i = 0; i <= 1000; i++) {
      const phase = i / 997 - 0.3;
      expect(Math.abs(sineOfPhase(phase) - Math.sin(2 * Math.PI * phase))).toBeLessThan(1e-6);
    }
    for (const seconds of [0.005, 0.05, 0.5, 5]) expect(decayFactor(seconds)).toBeCloseTo(Math.exp(-1 / (seconds * 44100)), 12);
    expect(midiToHz(69)).toBe(440);
    expect(midiToHz(57)).toBe(220);
    for (let note = 24; note < 100; note++) expect(midiToHz(note) / (440 * 2 ** ((note - 69) / 12))).toBeCloseTo(1, 12);
  });

  it('keeps the padding period: 144000 * kbps mod 44100 repeats every 49 frames at every bitrate', () => {
    for (const kbps of MPEG1_L3_BITRATES_KBPS) expect((((144000 * kbps) % 44100) * PADDING_PERIOD_FRAMES) % 44100, `${kbps} kbps`).toBe(0);
  });
});

describe('composeScore and renderPhrase', () => {
  it('make a phrase of a whole number of padding periods, peaking at PEAK_LEVEL (no clipping)', () => {
    for (const id of IDS) {
      const score = composeScore(id);
      expect(score.frames % PADDING_PERIOD_FRAMES, id).toBe(0);
      expect(score.samples).toBe(score.frames * SAMPLES_PER_FRAME);
      expect(Number.isInteger(score.beatSamples / 4), id).toBe(true);
      const phrase = renderPhrase(score);
      let peak = 0;
      for (const v of phrase) peak = Math.max(peak, Math.abs(v));
      expect(peak, id).toBeCloseTo(PEAK_LEVEL, 12);
    }
  });

  it('loops without a step: the end of the phrase runs into its start like any two neighbouring samples', () => {
    for (const id of IDS) {
      const phrase = renderPhrase(composeScore(id));
      let largest = 0;
      for (let i = 1; i < phrase.length; i++) largest = Math.max(largest, Math.abs((phrase[i] ?? 0) - (phrase[i - 1] ?? 0)));
      const wrap = Math.abs((phrase[0] ?? 0) - (phrase[phrase.length - 1] ?? 0));
      expect(wrap, id).toBeLessThanOrEqual(largest);
      expect(wrap, id).toBeLessThan(0.05);
    }
  });

  it('gives the same score for the same id and different music for different ids, with every voice', () => {
    expect(composeScore('song1')).toEqual(composeScore('song1'));
    const phrases = IDS.map((id) => renderPhrase(composeScore(id)));
    for (let a = 0; a < phrases.length; a++) {
      for (let b = a + 1; b < phrases.length; b++) expect(phrases[a], `${IDS[a]} vs ${IDS[b]}`).not.toEqual(phrases[b]);
    }
    for (const id of IDS) {
      const voices = new Set(composeScore(id).notes.map((note) => note.voice));
      for (const voice of ['lead', 'pad', 'bass', 'kick', 'hat']) expect(voices.has(voice as never), `${id}: ${voice}`).toBe(true);
    }
  });
});

describe('tilingFor', () => {
  it('encodes short songs whole and tiles long ones with the tail on the padding period', () => {
    expect(tilingFor(294, 100)).toEqual({ kind: 'whole', frameCount: 100 });
    const long = tilingFor(294, 9000);
    if (long.kind !== 'tiled') throw new Error('a 9000-frame song is tiled');
    expect(long.tailEncodeStart % PADDING_PERIOD_FRAMES).toBe(0);
    expect(long.tailStart).toBeGreaterThan(long.loopStart + long.phraseFrames);
    expect(long.frameCount - long.tailStart).toBeGreaterThanOrEqual(60);
    expect(long.frameCount - long.tailStart).toBeLessThan(60 + 2 * PADDING_PERIOD_FRAMES);
  });
});
