// Arbitrary command lines against both CLIs' parsers (issue #11, point 7): every vector holds at
// least one unknown option, unknown command or out-of-bounds value, among valid options in any
// order. Each must be refused: exit 2, the culprit named, never a stack trace, quickly. main() runs
// in-process with stdout and stderr captured; every file the vectors name does not exist, so a
// refusal that failed would end in a "not found" (and this test failing), never in a server or a run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMBER_BOUNDS, type NumberBound } from '../../src/cli/bounds.js';
import { escapeForTerminal } from '../../src/util/terminal-text.js';
import { captureCli as capture, type Program } from '../helpers/capture-cli.js';

/** A refused command line takes milliseconds; this is far beyond, on a busy machine. */
const REFUSAL_TIME_LIMIT_MS = 5_000;
const RUNS = 150;
const STACK_LINE = /^\s+at .+[(:]/m;
const NOWHERE = '/nonexistent-jukebox-fuzz';

interface Shape {
  program: Program;
  /** The command words and required positionals, in order. */
  words: string[];
  /** Valid options, each as the tokens it takes. */
  valid: string[][];
  /** Known option names (long and short) that an unknown one must not be. */
  known: string[];
  /** Bounded number options this command accepts. */
  bounded: string[];
  /** Whether another word in place of the last command word is an unknown command. */
  commandLevel?: { index: number; commands: string[] };
}

const GLOBAL = ['help', 'h', 'version', 'debug'];
const catalog = ['--catalog', `${NOWHERE}/catalog.json`];
const clientValid = [
  catalog,
  ['--host', '127.0.0.1'],
  ['--prefer', 's1'],
  ['--action', 'stream'],
  ['--out-dir', `${NOWHERE}/downloads`],
  ['--trace'],
  ['--playback-speed', '2'],
];
const clientKnown = ['catalog', 'host', 'prefer', 'action', 'out-dir', 'playback-speed', 'trace'];

const SHAPES: Shape[] = [
  {
    program: 'jukebox',
    words: ['serve'],
    valid: [catalog, ['--trace'], ['--stream-speed', '10'], ['--host', '127.0.0.1'], ['--server', 's1'], ['--max-connections', '10']],
    known: ['catalog', 'trace', 'stream-speed', 'host', 'server', 'max-connections'],
    bounded: ['stream-speed', 'max-connections'],
    commandLevel: { index: 0, commands: ['serve', 'client', 'catalog'] },
  },
  { program: 'jukebox', words: ['client'], valid: clientValid, known: clientKnown, bounded: ['playback-speed'] },
  {
    program: 'jukebox',
    words: ['client', 'get', 'song2'],
    valid: [...clientValid, ['--json'], ['--out', `${NOWHERE}/x.mp3`]],
    known: [...clientKnown, 'json', 'out'],
    bounded: ['playback-speed'],
  },
  {
    program: 'jukebox',
    words: ['catalog', 'build', NOWHERE],
    valid: [['--out', `${NOWHERE}/c.json`], ['--assign', 'all'], ['--servers', '3'], ['--force'], ['--strict']],
    known: ['out', 'assign', 'servers', 'force', 'strict'],
    bounded: ['servers'],
    commandLevel: { index: 1, commands: ['build', 'verify', 'generate'] },
  },
  { program: 'jukebox', words: ['catalog', 'verify'], valid: [catalog], known: ['catalog'], bounded: [] },
  { program: 'jukebox', words: ['catalog', 'generate'], valid: [catalog, ['--update']], known: ['catalog', 'update'], bounded: [] },
  {
    program: 'simulate',
    words: [`${NOWHERE}/scenario.yaml`],
    valid: [['--seed', '7'], ['--quiet'], ['--json'], ['--out', `${NOWHERE}/r.json`], ['--repeat', '2']],
    known: ['seed', 'clients', 'concurrency', 'arrival-rate', 'duration', 'workers', 'quiet', 'json', 'repeat', 'out', 'shard', 'shards'],
    bounded: ['repeat'],
  },
  {
    program: 'simulate',
    words: ['compare', `${NOWHERE}/a.json`, `${NOWHERE}/b.json`],
    valid: [['--json'], ['--threshold', '5'], ['--fail-on-regression', '10'], ['--html', `${NOWHERE}/o.html`]],
    known: ['baseline', 'candidate', 'threshold', 'fail-on-regression', 'html', 'json'],
    bounded: ['threshold', 'fail-on-regression'],
  },
  {
    program: 'simulate',
    words: ['merge', `${NOWHERE}/a.json`, `${NOWHERE}/b.json`],
    valid: [['-o', `${NOWHERE}/m.json`], ['--force'], ['--quiet']],
    known: ['out', 'o', 'force', 'quiet'],
    bounded: [],
  },
  { program: 'simulate', words: ['reports'], valid: [['--dir', NOWHERE], ['--json']], known: ['dir', 'json'], bounded: [] },
];

interface Bad {
  tokens: string[];
  /** What the message must name (one of). */
  named: string[];
  /** Where it may go: anywhere after the command words, or in place of a command word. */
  replacesWord?: number;
  /** An option may also come before the command words (`jukebox --bogus serve`). */
  beforeWords?: boolean;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** A long option name the command does not know: plain words, prototype names, and anything printable or not. */
function unknownLongOption(shape: Shape): fc.Arbitrary<Bad> {
  const known = new Set([...GLOBAL, ...shape.known].flatMap((k) => [k, camel(k)]));
  const name = fc
    .oneof(
      fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/),
      fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'seeed', 'prefre', 'stream-sped', 'catlog', 'h-', 'help-', 'json-'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map((s) => `x${s}`),
    )
    // '=' splits a value off, '.' is yargs' dot notation, 'no-' negates a known flag: all named differently.
    .filter((n) => !known.has(n) && !/[=.\s]/.test(n) && !n.startsWith('no-') && !known.has(camel(n)) && !known.has(n.toLowerCase()));
  const value = fc.option(
    fc.string({ unit: 'binary', maxLength: 12 }).filter((v) => !v.startsWith('-')),
    { nil: undefined },
  );
  return fc.tuple(name, value, fc.boolean(), fc.boolean()).map(([n, v, joined, beforeWords]) => ({
    tokens: v === undefined ? [`--${n}`] : joined ? [`--${n}=${v}`] : [`--${n}`, v],
    named: [`--${escapeForTerminal(n)}`],
    beforeWords,
  }));
}

function unknownShortOption(shape: Shape): fc.Arbitrary<Bad> {
  const known = new Set([...GLOBAL, ...shape.known]);
  return fc
    .constantFrom(...'abcdefgijklmnpqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''))
    .filter((c) => !known.has(c))
    .map((c) => ({ tokens: [`-${c}`], named: [`-${c}`] }));
}

/** A value past the bound: out of range, not whole where a whole number is due, or not a number at all. */
function outOfBounds(option: string, bound: NumberBound): fc.Arbitrary<Bad> {
  const beyond = fc.oneof(
    // -0 is below a minimum of 0 as a double but is typed as "0": keep only values that stay out of range as text.
    fc.double({ noNaN: true, noDefaultInfinity: true, max: bound.min, maxExcluded: true }).filter((x) => Number(String(x)) < bound.min),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: bound.max, minExcluded: true }).filter((x) => Number(String(x)) > bound.max),
    fc.constantFrom('abc', '1e999', '-1e999', 'NaN', 'twelve', '0x', String(bound.max * 10), String(bound.min - 1)),
    ...(bound.integer ? [fc.double({ min: bound.min, max: bound.max, noNaN: true }).filter((x) => !Number.isInteger(x))] : []),
  );
  // `--option value` only where the value cannot pass for an option itself.
  return fc.tuple(beyond, fc.boolean()).map(([v, joined]) => ({
    tokens: joined || String(v).startsWith('-') ? [`--${option}=${String(v)}`] : [`--${option}`, String(v)],
    named: [`--${option}`],
  }));
}

function unknownCommand(level: { index: number; commands: string[] }): fc.Arbitrary<Bad> {
  return fc
    .stringMatching(/^[a-z][a-z0-9]{0,10}$/)
    .filter((w) => !level.commands.includes(w))
    .map((w) => ({ tokens: [w], named: [w], replacesWord: level.index }));
}

function badThing(shape: Shape): fc.Arbitrary<Bad> {
  const kinds: Array<fc.Arbitrary<Bad>> = [unknownLongOption(shape), unknownShortOption(shape)];
  for (const option of shape.bounded) kinds.push(outOfBounds(option, NUMBER_BOUNDS[option] as NumberBound));
  if (shape.commandLevel) kinds.push(unknownCommand(shape.commandLevel));
  return fc.oneof(...kinds);
}

/** A command line of one shape: its words, some valid options in any order, and one to three bad things at any place after the words (unknown options also before them). */
function commandLine(shape: Shape): fc.Arbitrary<{ argv: string[]; named: string[] }> {
  return fc
    .tuple(fc.subarray(shape.valid), fc.array(badThing(shape), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }))
    .map(([valid, bads, places]) => {
      const words = [...shape.words];
      const rest: string[][] = [...valid];
      const named: string[] = [];
      const before: string[] = [];
      bads.forEach((bad, i) => {
        named.push(...bad.named);
        if (bad.replacesWord !== undefined) {
          // An unknown command: the words stop there (what would follow it belongs to the real command).
          words.splice(bad.replacesWord, words.length, ...bad.tokens);
        } else if (bad.beforeWords) {
          before.push(...bad.tokens);
        } else {
          rest.splice((places[i] ?? 0) % (rest.length + 1), 0, bad.tokens);
        }
      });
      return { argv: [...before, ...words, ...rest.flat()], named };
    });
}

describe('both CLIs refuse any command line with an unknown option, command or out-of-bounds value', () => {
  for (const program of ['jukebox', 'simulate'] as const) {
    it(`${program}: exit 2, the culprit named, no stack trace, no output on stdout, quickly`, async () => {
      const shapes = SHAPES.filter((s) => s.program === program);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...shapes).chain((shape) => commandLine(shape)),
          async ({ argv, named }) => {
            const r = await capture(program, argv);
            const context = `${program} ${JSON.stringify(argv)}\n${r.stderr}`;
            expect(r.code, context).toBe(2);
            expect(r.stderr, context).not.toMatch(STACK_LINE);
            expect(r.stderr, context).toMatch(/^\s*hint: /m);
            expect(
              named.some((n) => r.stderr.includes(n)),
              `names one of ${JSON.stringify(named)}: ${context}`,
            ).toBe(true);
            expect(r.stdout, context).toBe('');
            expect(r.ms, context).toBeLessThan(REFUSAL_TIME_LIMIT_MS);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

// yargs' strict mode takes a name whose camelCase form it knows (`--h-` is `h`, `--seed-` is `seed`)
// and ran the command (found by the property above with a random seed): fixed cases, every run.
describe('a known name with a trailing dash is an unknown option, not the known one', () => {
  it.each([
    ['jukebox', ['catalog', 'generate', '--h-'], '--h-'],
    ['jukebox', ['catalog', 'generate', '--help-'], '--help-'],
    ['simulate', ['reports', '--json-'], '--json-'],
    ['simulate', ['reports', '--dir-', NOWHERE], '--dir-'],
  ] as const)('%s %j', async (program, argv, named) => {
    const r = await capture(program, [...argv]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(named);
    expect(r.stdout).toBe('');
  });
});
