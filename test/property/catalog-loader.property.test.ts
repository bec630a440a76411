// A fuzz test of the catalog loader: arbitrary JSON values, arbitrary text, and the committed
// catalog mutated the ways a careless user or an attacker would (huge, negative, non-finite
// numbers, strings with controls, a byte-order mark, extra keys, deep nesting, long lists).
// Whatever comes in, the loader answers a catalog or a JukeboxError with a catalog code whose
// every problem names a key; never another exception, never raw control characters, bounded time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogError, fromParsedCatalog, loadCatalog } from '../../src/catalog/load.js';
import { SERVER_KEYS, SONG_KEYS, TOP_KEYS } from '../../src/catalog/schema.js';
import { JukeboxError } from '../../src/errors.js';
import { defaultCatalogPath } from '../../src/util/paths.js';
import { hasUnsafeTerminalText } from '../../src/util/terminal-text.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** Per input: generous for a busy 2-core machine; a loader that walks a huge input whole would blow it. */
const MAX_MS_PER_INPUT = 5_000;
const RUNS = 150;
/** Deep nesting, within what JSON.stringify (which writes the file) can itself handle; the 200,000-deep text has its own test. */
const DEEP = 2_000;
/** Longer than the song bound (100,000), so the bound is met. */
const LONG_LIST = 150_000;
/** A key path: plain keys and positions, or JSON-quoted keys, joined by dots. */
const SEGMENT = String.raw`(?:[^\s:."]+|"(?:[^"\\]|\\.)*")`;
/** `<key.path>: expected <what>, got <value>` (the key path may be `(top level)`). */
const PROBLEM = new RegExp(String.raw`^(\(top level\)|${SEGMENT}(?:\.${SEGMENT})*): expected .+, got .+$`, 's');

const tmp = makeTmpDir('jukebox-catalog-fuzz-');
afterAll(() => tmp.cleanup());
const committedText = readFileSync(defaultCatalogPath, 'utf8');
const committed = (): Record<string, unknown> => JSON.parse(committedText) as Record<string, unknown>;

/** Runs the loader and checks the only two outcomes it may have. */
function expectCleanOutcome(load: () => unknown): void {
  const started = performance.now();
  try {
    load();
  } catch (err) {
    if (!(err instanceof JukeboxError)) throw new Error(`not a JukeboxError: ${String(err)}`, { cause: err });
    expect(['E_CATALOG_INVALID', 'E_CATALOG_NOT_FOUND']).toContain(err.code);
    expect(hasUnsafeTerminalText(err.describe().replaceAll('\n', ' '))).toBe(false);
    if (err instanceof CatalogError) {
      expect(err.problems.length).toBeGreaterThan(0);
      for (const problem of err.problems) if (!problem.startsWith('… and ')) expect(problem).toMatch(PROBLEM);
    }
  }
  expect(performance.now() - started).toBeLessThan(MAX_MS_PER_INPUT);
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

const controlText = fc.string({
  unit: fc.oneof(fc.constantFrom('\u001b', '\u0007', '\u009b', '\u202e', '\n', '\u0000', '\uFEFF'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
  maxLength: 40,
});

/** The values a mutation writes: the awkward ones first. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e9,
    -1,
    -0,
    0,
    1e308,
    -1e308,
    2 ** 53,
    2 ** 31,
    60_000,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    'NaN',
    'Infinity',
    '1e9',
    null,
    true,
    '',
    [],
    {},
  ),
  fc.double(),
  fc.integer(),
  controlText,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(null).map(() => deeplyNested(DEEP)),
  fc.constant(null).map(() => Array.from({ length: LONG_LIST }, (_, i) => i)),
);

type Mutation = { where: 'top' | 'server' | 'song'; index: number; key: string; value: unknown } | { where: 'delete'; index: number; key: string };

const keyFor = (known: readonly string[]) =>
  fc.oneof(fc.constantFrom(...known), fc.constantFrom('File', 'Title', 'note', '__proto__', 'constructor', ''), fc.string({ maxLength: 12 }));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ where: fc.constant('top' as const), index: fc.nat(), key: keyFor(TOP_KEYS), value: nastyValue }),
  fc.record({ where: fc.constant('server' as const), index: fc.nat({ max: 3 }), key: keyFor(SERVER_KEYS), value: nastyValue }),
  fc.record({ where: fc.constant('song' as const), index: fc.nat({ max: 20 }), key: keyFor(SONG_KEYS), value: nastyValue }),
  fc.record({ where: fc.constant('delete' as const), index: fc.nat({ max: 20 }), key: keyFor(SONG_KEYS) }),
);

function mutate(catalog: Record<string, unknown>, m: Mutation): void {
  const list = (key: string) => (Array.isArray(catalog[key]) ? (catalog[key] as unknown[]) : []);
  const target = (m.where === 'server' ? list('servers') : m.where === 'top' ? [catalog] : list('songs'))[m.where === 'top' ? 0 : m.index];
  if (typeof target !== 'object' || target === null) return;
  // defineProperty: a "__proto__" key becomes an own key, as JSON.parse would make it.
  if (m.where === 'delete') delete (target as Record<string, unknown>)[m.key];
  else Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
}

describe('the catalog loader, fuzzed', () => {
  it('arbitrary JSON values: a catalog or a catalog error naming keys', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => expectCleanOutcome(() => fromParsedCatalog(value, '/fuzz/catalog.json'))),
      { numRuns: RUNS },
    );
  });

  it('arbitrary text in the file, with or without a byte-order mark', () => {
    const file = join(tmp.dir, 'text.json');
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        (bom, text) => {
          writeFileSync(file, `${bom ? '\uFEFF' : ''}${text}`);
          expectCleanOutcome(() => loadCatalog(file));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the committed catalog, mutated: only a catalog or a catalog error naming keys, in bounded time', () => {
    const file = join(tmp.dir, 'mutated.json');
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean(), (mutations, bom) => {
        const catalog = committed();
        for (const m of mutations) mutate(catalog, m);
        // In memory (NaN, Infinity and -0 survive) and through a file (as JSON has them).
        expectCleanOutcome(() => fromParsedCatalog(catalog, '/fuzz/catalog.json'));
        writeFileSync(file, `${bom ? '\uFEFF' : ''}${JSON.stringify(catalog)}`);
        expectCleanOutcome(() => loadCatalog(file));
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('a text nested deeper than any stack: a catalog error, not a RangeError', () => {
    const file = join(tmp.dir, 'deep.json');
    writeFileSync(file, `{"servers": ${'['.repeat(200_000)}${']'.repeat(200_000)}, "songs": []}`);
    expectCleanOutcome(() => loadCatalog(file));
  });
});
