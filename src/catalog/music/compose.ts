// The composer: a song id seeds a four-bar phrase (chord progression, bass line, pentatonic
// melody, drums) that the song plays in a loop. Only the score is made here; render.ts turns it
// into samples.
//
// The phrase lasts a whole number of MP3 frames, and that number is a multiple of 49: at 44100 Hz
// the encoder's padding bytes repeat every 49 frames at every MPEG-1 bitrate, so copies of the
// phrase's frames tile the song with the same frame sizes a straight CBR encoding would have.
import { createRng, randomInt, type Rng } from '../../util/rng.js';
import { midiToHz } from './dsp.js';

export const SAMPLES_PER_FRAME = 1152;
/** 144000 * kbps mod 44100 is a multiple of 900 for every bitrate, and 44100 / 900 = 49. */
export const PADDING_PERIOD_FRAMES = 49;

export type Voice = 'lead' | 'pad' | 'bass' | 'kick' | 'snare' | 'hat';

/** One sounding event: where it starts in the phrase and for how long it is held (in samples). */
export interface ScoreNote {
  voice: Voice;
  start: number;
  length: number;
  /** 0 for drums. */
  hz: number;
  /** Relative loudness within its voice (accents). */
  velocity: number;
}

/** A voice's tone colour: the amplitudes of its harmonics (1st, 2nd, ...). */
export type Harmonics = readonly number[];

export interface Score {
  /** Frames of the phrase (a multiple of PADDING_PERIOD_FRAMES). */
  frames: number;
  /** frames * 1152: the phrase's length in samples; the score repeats with this period. */
  samples: number;
  beatsPerBar: number;
  beatSamples: number;
  notes: ScoreNote[];
  leadHarmonics: Harmonics;
  /** The seed of the drums' noise. */
  noiseSeed: number;
  /** Echo on the lead, in samples (a dotted eighth), and its level (0: none). */
  echoSamples: number;
  echoGain: number;
}

const BARS = 4;

/**
 * Metre and tempo: 4 bars of `beatsPerBar` beats lasting `frames` MP3 frames, i.e. a beat of
 * frames * 1152 / (4 * beatsPerBar) samples (125, 107, 112.5 and 93.75 beats a minute).
 */
const TEMPOS = [
  { beatsPerBar: 4, frames: 294 },
  { beatsPerBar: 4, frames: 343 },
  { beatsPerBar: 4, frames: 294 },
  { beatsPerBar: 3, frames: 245 },
  { beatsPerBar: 3, frames: 294 },
] as const;

/** Chords as semitones above the key's tonic (triads of the major scale). */
const CHORDS: Readonly<Record<string, readonly number[]>> = {
  I: [0, 4, 7],
  ii: [2, 5, 9],
  iii: [4, 7, 11],
  IV: [5, 9, 12],
  V: [7, 11, 14],
  vi: [9, 12, 16],
};

/** Four-chord progressions that loop well (the last chord leads back to the first). */
const PROGRESSIONS = [
  ['I', 'V', 'vi', 'IV'],
  ['I', 'vi', 'IV', 'V'],
  ['vi', 'IV', 'I', 'V'],
  ['I', 'IV', 'vi', 'V'],
  ['IV', 'I', 'V', 'vi'],
  ['I', 'iii', 'IV', 'V'],
  ['vi', 'ii', 'V', 'I'],
  ['I', 'IV', 'ii', 'V'],
] as const;

/** The major pentatonic scale: no semitone steps, so no note clashes hard with these chords. */
const PENTATONIC = [0, 2, 4, 7, 9] as const;

/** Melody rhythms of one bar, in eighth notes; a negative length is a rest. */
const LEAD_RHYTHMS: Readonly<Record<number, ReadonlyArray<readonly number[]>>> = {
  4: [
    [2, 2, 2, 2],
    [3, 1, 2, 2],
    [2, 1, 1, 2, 2],
    [4, 2, 2],
    [1, 1, 2, 1, 1, 2],
    [2, 2, 4],
    [3, 3, 2],
    [2, -2, 2, 2],
    [1, 1, 1, 1, 4],
  ],
  3: [
    [2, 2, 2],
    [3, 1, 2],
    [4, 2],
    [2, 1, 1, 2],
    [1, 1, 2, 2],
    [2, -2, 2],
  ],
};

/** Bass lines of one bar: [start in eighths, semitones above the chord's root, length in eighths]. */
const BASS_LINES: Readonly<Record<number, ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>>> = {
  4: [
    [
      [0, 0, 4],
      [4, 0, 4],
    ],
    [
      [0, 0, 3],
      [3, 0, 1],
      [4, 7, 4],
    ],
    [
      [0, 0, 1],
      [1, 0, 1],
      [2, 0, 1],
      [3, 0, 1],
      [4, 0, 1],
      [5, 0, 1],
      [6, 7, 1],
      [7, 0, 1],
    ],
    [
      [0, 0, 2],
      [2, 12, 2],
      [4, 7, 2],
      [6, 12, 2],
    ],
  ],
  3: [
    [
      [0, 0, 2],
      [2, 7, 2],
      [4, 12, 2],
    ],
    [
      [0, 0, 4],
      [4, 7, 2],
    ],
  ],
};

/** Drum patterns of one bar, in sixteenths. */
const DRUM_PATTERNS: Readonly<Record<number, ReadonlyArray<{ kick: readonly number[]; snare: readonly number[]; hatEvery: number }>>> = {
  4: [
    { kick: [0, 8], snare: [4, 12], hatEvery: 2 },
    { kick: [0, 8, 10], snare: [4, 12], hatEvery: 2 },
    { kick: [0, 6, 8], snare: [4, 12], hatEvery: 2 },
    { kick: [0, 8], snare: [], hatEvery: 4 },
    { kick: [0, 10], snare: [4, 12], hatEvery: 1 },
  ],
  3: [
    { kick: [0], snare: [4, 8], hatEvery: 2 },
    { kick: [0, 6], snare: [8], hatEvery: 2 },
  ],
};

/** Tone colours of the melody: soft flute, hollow clarinet, warm reed. */
const LEAD_TIMBRES: readonly Harmonics[] = [
  [1, 0.25, 0.08],
  [1, 0, 0.3, 0, 0.12],
  [1, 0.45, 0.2, 0.08],
];

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[randomInt(rng, items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** The MIDI note of pentatonic position p (5 positions an octave) above `base`. */
function pentatonicNote(base: number, p: number): number {
  const octave = Math.floor(p / PENTATONIC.length);
  return base + 12 * octave + (PENTATONIC[p - octave * PENTATONIC.length] ?? 0);
}

/** Composes the phrase of the song with this id: the same id, the same music. */
export function composeScore(songId: string): Score {
  const rng = createRng(`jukebox-music:${songId}`);
  const tempo = pick(rng, TEMPOS);
  const { beatsPerBar, frames } = tempo;
  const samples = frames * SAMPLES_PER_FRAME;
  const beatSamples = samples / (BARS * beatsPerBar);
  const eighth = beatSamples / 2;
  const sixteenth = beatSamples / 4;
  const barSamples = beatSamples * beatsPerBar;

  // The key: its tonic pitch class sets the melody's register (MIDI 54..65, F#3..F4).
  const pitchClass = randomInt(rng, 12);
  const base = 60 + ((pitchClass + 6) % 12) - 6;
  const progression = pick(rng, PROGRESSIONS).map((name) => CHORDS[name] ?? [0, 4, 7]);
  const notes: ScoreNote[] = [];

  // Pad: the chord of each bar, voiced close around a fifth below the melody's tonic.
  const padCentre = base - 5;
  progression.forEach((chord, bar) => {
    for (const tone of chord) {
      let note = base + tone;
      while (note >= padCentre + 6) note -= 12;
      while (note < padCentre - 6) note += 12;
      notes.push({ voice: 'pad', start: bar * barSamples, length: barSamples, hz: midiToHz(note), velocity: 1 });
    }
  });

  // Bass: the chord's root two octaves down, on one of a few lines.
  const bassLine = pick(rng, BASS_LINES[beatsPerBar] ?? []);
  progression.forEach((chord, bar) => {
    let root = base - 24 + (chord[0] ?? 0);
    if (root > base - 24 + 6) root -= 12;
    for (const [at, interval, length] of bassLine) {
      notes.push({
        voice: 'bass',
        start: bar * barSamples + at * eighth,
        length: length * eighth,
        hz: midiToHz(root + interval),
        velocity: at === 0 ? 1 : 0.8,
      });
    }
  });

  // Melody: a call (bars 1-2) and an answer (bars 3-4) that reuses the first bar's rhythm,
  // walking the pentatonic scale; notes on the beat snap to a tone of the chord.
  const rhythms = LEAD_RHYTHMS[beatsPerBar] ?? [];
  const first = pick(rng, rhythms);
  const barRhythms = [first, pick(rng, rhythms), first, pick(rng, rhythms)];
  let position = 5 + randomInt(rng, 3);
  barRhythms.forEach((rhythm, bar) => {
    const chord = progression[bar] ?? [0, 4, 7];
    let at = 0;
    rhythm.forEach((length, i) => {
      const eighths = Math.abs(length);
      if (length > 0) {
        position = Math.min(9, Math.max(2, position + randomInt(rng, 5) - 2));
        const onBeat = at % 2 === 0;
        const lastOfPhrase = bar === BARS - 1 && i === rhythm.length - 1;
        if (onBeat || lastOfPhrase) position = nearestChordTone(base, position, lastOfPhrase ? [0, 7] : chord);
        notes.push({
          voice: 'lead',
          start: bar * barSamples + at * eighth,
          length: eighths * eighth,
          hz: midiToHz(pentatonicNote(base, position)),
          velocity: at === 0 ? 1 : 0.85,
        });
      }
      at += eighths;
    });
  });

  // Drums: one pattern for the phrase, a snare pickup in the last bar now and then.
  const drums = pick(rng, DRUM_PATTERNS[beatsPerBar] ?? []);
  const sixteenths = beatsPerBar * 4;
  const pickup = drums.snare.length > 0 && rng.next() < 0.5;
  for (let bar = 0; bar < BARS; bar++) {
    const barStart = bar * barSamples;
    for (const at of drums.kick) notes.push({ voice: 'kick', start: barStart + at * sixteenth, length: 0, hz: 0, velocity: at === 0 ? 1 : 0.8 });
    const snares = bar === BARS - 1 && pickup ? [...drums.snare, sixteenths - 1] : drums.snare;
    for (const at of snares) notes.push({ voice: 'snare', start: barStart + at * sixteenth, length: 0, hz: 0, velocity: at === sixteenths - 1 ? 0.6 : 1 });
    for (let at = 0; at < sixteenths; at += drums.hatEvery) {
      notes.push({ voice: 'hat', start: barStart + at * sixteenth, length: 0, hz: 0, velocity: at % 4 === 0 ? 1 : 0.6 });
    }
  }

  const echo = rng.next() < 0.6;
  return {
    frames,
    samples,
    beatsPerBar,
    beatSamples,
    notes,
    leadHarmonics: pick(rng, LEAD_TIMBRES),
    noiseSeed: Math.floor(rng.next() * 0x1_0000_0000),
    echoSamples: eighth + sixteenth,
    echoGain: echo ? 0.28 : 0,
  };
}

/** The pentatonic position nearest to `position` (within a third) whose note is in `chord`. */
function nearestChordTone(base: number, position: number, chord: readonly number[]): number {
  const pitchClasses = new Set(chord.map((tone) => tone % 12));
  for (const step of [0, -1, 1, -2, 2]) {
    const p = position + step;
    if (p < 2 || p > 9) continue;
    if (pitchClasses.has((pentatonicNote(base, p) - base + 120) % 12)) return p;
  }
  return position;
}
