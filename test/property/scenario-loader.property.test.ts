// Issue #11 point 7: the scenario loader against arbitrary YAML. Whatever a file or an override
// holds, the loader either accepts a scenario whose numbers keep to their bounds, or throws a
// ScenarioError (E_SCENARIO_INVALID) whose every line names where the problem is; never another
// error, in bounded time and memory.
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../src/errors.js';
import { MAX_ARRIVAL_RATE, MAX_CLIENTS, MAX_CONCURRENCY, MAX_REQUESTS, MAX_WORKERS } from '../../src/scenario/bounds.js';
import { loadScenarioFile, parseScenario, ScenarioError, type LoadedScenario, type ScenarioOverrides } from '../../src/scenario/load.js';
import { MAX_TIMER_MS } from '../../src/util/duration.js';
import { sampleCatalogFile } from '../helpers/catalog-data.js';
import { makeTmpDir } from '../helpers/tmp.js';

const catalogPath = sampleCatalogFile();
const tmp = makeTmpDir('jukebox-scenario-fuzz-');
afterAll(() => tmp.cleanup());

/** A case that takes longer is a hang, not a slow machine: the worst file takes well under a second. */
const CASE_TIME_LIMIT_MS = 10_000;
/** The heap after any case: an expanded alias bomb or a materialised plan would pass it at once. */
const HEAP_LIMIT_BYTES = 768 * 1024 ** 2;
/** Each problem line starts by naming where: an option, or the file then a line or a key path. */
const LOCATED =
  /^(--[a-z-]+: |([^:\n]+\.yaml|\(scenario\)): (line \d+, column \d+ \(|\(top level\): |"|[A-Za-z0-9_-]+[.:]|expected |the file holds |cannot read the YAML: ))/;

let fileCount = 0;
function writeScenario(text: string): string {
  return tmp.write(`fuzz-${fileCount++ % 8}.yaml`, text);
}

/** Runs one case: accepted within bounds, or refused as E_SCENARIO_INVALID with every problem located. */
function check(load: () => LoadedScenario): void {
  const started = performance.now();
  let loaded: LoadedScenario | undefined;
  try {
    loaded = load();
  } catch (err) {
    if (!isJukeboxError(err, 'E_SCENARIO_INVALID') || !(err instanceof ScenarioError)) throw err;
    expect(err.problems.length).toBeGreaterThan(0);
    for (const problem of err.problems) expect(problem).toMatch(LOCATED);
    // Nothing in the message can drive a terminal: newlines only between problems.
    expect(err.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(err.message.split('\n').length).toBeLessThanOrEqual(52);
  }
  if (loaded) expectWithinBounds(loaded);
  expect(performance.now() - started).toBeLessThan(CASE_TIME_LIMIT_MS);
  expect(process.memoryUsage().heapUsed).toBeLessThan(HEAP_LIMIT_BYTES);
}

function expectWithinBounds({ scenario }: LoadedScenario): void {
  const { load, client, faults } = scenario;
  expect(load.workers).toBeGreaterThanOrEqual(1);
  expect(load.workers).toBeLessThanOrEqual(MAX_WORKERS);
  if (load.model === 'closed') {
    expect(load.clients).toBeLessThanOrEqual(MAX_CLIENTS);
    expect(Math.min(load.clients, load.concurrency)).toBeLessThanOrEqual(MAX_CONCURRENCY);
  } else {
    expect(load.arrivalRate).toBeLessThanOrEqual(MAX_ARRIVAL_RATE);
    expect(load.durationMs).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect((load.arrivalRate * load.durationMs) / 1000).toBeLessThanOrEqual(MAX_CLIENTS);
  }
  expect(client.requests).toBeLessThanOrEqual(MAX_REQUESTS);
  expect(client.timeoutMs).toBeGreaterThanOrEqual(1);
  expect(client.timeoutMs).toBeLessThanOrEqual(MAX_TIMER_MS);
  const think = client.thinkTime;
  for (const ms of think.distribution === 'uniform' ? [think.minMs, think.maxMs] : [think.meanMs]) expect(ms).toBeLessThanOrEqual(MAX_TIMER_MS);
  for (const f of faults) {
    expect(f.atMs + Math.max(f.forMs ?? 0, f.restartAfterMs ?? 0)).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(f.latencyMs ?? 0).toBeLessThanOrEqual(MAX_TIMER_MS);
  }
}

/** A scenario that loads: the starting point of mutations. */
const VALID = {
  name: 'fuzz',
  seed: 7,
  catalog: catalogPath,
  servers: [{ id: 's1', port: 0, streamSpeed: 100 }, { id: 's2' }],
  load: { clients: 20, concurrency: 5, workers: 2 },
  client: {
    requests: 3,
    thinkTime: { distribution: 'uniform', min: '1ms', max: '5ms' },
    connection: 'persistent',
    prefer: 'fastest',
    action: { download: 0.5, stream: 0.5 },
    timeout: '5s',
    songs: { popularity: 'zipf', exponent: 1.2, absent: 0.1 },
  },
  faults: [{ at: '1s', server: 's1', action: 'delay', latency: '20ms', for: '2s' }],
  thresholds: { 'errors.rate': '< 1%' },
};

/** Where a mutation may land: every key of the valid scenario, and a few it does not have. */
const PATHS = [
  'name',
  'seed',
  'description',
  'servers',
  'servers.0',
  'servers.0.port',
  'servers.0.streamSpeed',
  'servers.0.host',
  'servers.1.external',
  'load',
  'load.clients',
  'load.concurrency',
  'load.workers',
  'load.arrivalRate',
  'load.duration',
  'load.rampUp',
  'client',
  'client.requests',
  'client.thinkTime',
  'client.thinkTime.distribution',
  'client.thinkTime.mean',
  'client.thinkTime.min',
  'client.thinkTime.max',
  'client.connection',
  'client.prefer',
  'client.action.download',
  'client.action.stream',
  'client.timeout',
  'client.songs.exponent',
  'client.songs.absent',
  'client.songs.ids',
  'client.songs.popularity',
  'faults',
  'faults.0.at',
  'faults.0.for',
  'faults.0.latency',
  'faults.0.action',
  'faults.0.restartAfter',
  'faults.0.bandwidth',
  'faults.1',
  'thresholds',
  'thresholds.latency.request.p99',
  'bogus',
  'load.clinets',
];

const UNITS = ['ms', 's', 'm', 'h', 'd', '', ' ms', 'MB/s', 'B/s', '%'];
/** Numbers as they hurt: huge, tiny, negative, fractional, not finite, just past a bound. */
const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -1,
    0.5,
    1e9,
    1e12,
    1e21,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 53 + 1,
    MAX_CLIENTS + 1,
    MAX_ARRIVAL_RATE + 0.5,
    65,
    10_001,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
);
const durationText = fc
  .tuple(fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e30, noNaN: true }), fc.constantFrom(0.5, 1000, 1e15, 99_999_999)), fc.constantFrom(...UNITS))
  .map(([n, u]) => `${n}${u}`);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyNumber,
  durationText,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(null, true, false, '', '< 5ms', 'crash', 's1', 'uniform', '1e999', '\u001b[2J', '__proto__'),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), nastyNumber), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: unknown = root;
  for (const key of keys.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record[key] !== 'object' || record[key] === null) record[key] = {};
    node = record[key];
  }
  if (typeof node === 'object' && node !== null) (node as Record<string, unknown>)[keys.at(-1) ?? ''] = value;
}

const mutatedScenario = fc.array(fc.tuple(fc.constantFrom(...PATHS), nastyValue), { minLength: 1, maxLength: 4 }).map((mutations) => {
  const scenario = structuredClone(VALID) as Record<string, unknown>;
  for (const [path, value] of mutations) setAt(scenario, path, value);
  return scenario;
});

const overrides: fc.Arbitrary<ScenarioOverrides> = fc.record(
  {
    seed: fc.oneof(fc.string({ maxLength: 300 }), nastyNumber),
    clients: fc.oneof(nastyNumber, fc.string({ maxLength: 6 })),
    concurrency: fc.oneof(nastyNumber, fc.string({ maxLength: 6 })),
    arrivalRate: fc.oneof(nastyNumber, fc.string({ maxLength: 6 })),
    duration: fc.oneof(durationText, fc.string({ maxLength: 6 }), nastyNumber),
    workers: fc.oneof(nastyNumber, fc.string({ maxLength: 6 })),
  },
  { requiredKeys: [] },
);

/** YAML's own characters, so random text is often nearly YAML. */
const yamlishText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ':',
        ' ',
        '\n',
        '  ',
        '- ',
        '[',
        ']',
        '{',
        '}',
        ',',
        '&a ',
        '*a',
        '!!',
        '!tag ',
        '"',
        "'",
        '#',
        '|',
        '>',
        '---\n',
        '...\n',
        '%YAML 1.2\n',
        '? ',
        '\t',
        '\u00a0',
        '\ufeff',
        'name',
        'load',
        'clients',
        '5',
        '1e999',
        '.nan',
        '~',
      ),
      fc.string({ maxLength: 6 }),
    ),
    {
      maxLength: 60,
    },
  )
  .map((parts) => parts.join(''));

/** A "billion laughs": `levels` anchors, each a list of `fanout` aliases of the one before. */
const aliasBomb = fc
  .record({ levels: fc.integer({ min: 2, max: 12 }), fanout: fc.integer({ min: 2, max: 12 }), at: fc.constantFrom('top', 'load', 'thresholds', 'faults') })
  .map(({ levels, fanout, at }) => {
    const lines = ['x0: &x0 [lol, lol]'];
    for (let i = 1; i < levels; i++)
      lines.push(
        `x${i}: &x${i} [${Array(fanout)
          .fill(`*x${i - 1}`)
          .join(', ')}]`,
      );
    const last = `*x${levels - 1}`;
    const use =
      at === 'top'
        ? `bomb: ${last}`
        : at === 'load'
          ? `load: { clients: ${last} }`
          : at === 'thresholds'
            ? `thresholds: { errors.rate: ${last} }`
            : `faults: ${last}`;
    return `name: bomb\ncatalog: ${JSON.stringify(catalogPath)}\n${lines.join('\n')}\n${use}\n`;
  });

const nesting = fc
  .record({ depth: fc.integer({ min: 1, max: 3000 }), open: fc.constantFrom('[', '{a: ', '- ', '{? '), close: fc.constantFrom(']', '}', '', '}') })
  .map(({ depth, open, close }) => `name: deep\nload: ${open.repeat(depth)}1${close.repeat(depth)}\n`);

const RUNS = { numRuns: 150, endOnFailure: true } as const;

describe('scenario loader, arbitrary input', () => {
  it('arbitrary JSON-like documents rendered as YAML', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => check(() => loadScenarioFile(writeScenario(stringify(value))))),
      RUNS,
    );
  });

  it('valid scenarios with random numbers, strings and huge values at random keys', () => {
    fc.assert(
      fc.property(mutatedScenario, (scenario) => check(() => loadScenarioFile(writeScenario(stringify(scenario))))),
      { ...RUNS, numRuns: 400 },
    );
  });

  it('the same mutated scenarios handed to parseScenario as data, with arbitrary overrides', () => {
    fc.assert(
      fc.property(mutatedScenario, overrides, (scenario, o) => check(() => parseScenario(scenario, undefined, o))),
      { ...RUNS, numRuns: 300 },
    );
  });

  it('arbitrary overrides on a valid file: accepted within bounds, or blamed on an option', () => {
    const file = writeScenario(stringify(VALID));
    fc.assert(
      fc.property(overrides, (o) => {
        check(() => loadScenarioFile(file, o));
      }),
      RUNS,
    );
  });

  it('random text, mostly YAML punctuation', () => {
    fc.assert(
      fc.property(yamlishText, (text) => check(() => loadScenarioFile(writeScenario(text)))),
      { ...RUNS, numRuns: 400 },
    );
  });

  it('alias bombs and deep nesting, wherever they sit', () => {
    fc.assert(
      fc.property(fc.oneof(aliasBomb, nesting), (text) => check(() => loadScenarioFile(writeScenario(text)))),
      RUNS,
    );
  });
});
