// Issue #11: every number of a scenario has a bound, checked before anything starts, with the key,
// the bound and the value in the message; the command-line overrides keep to the same bounds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { BOUNDS, MAX_EXPONENTIAL_MEAN_MS, MAX_PROBLEMS_SHOWN, MAX_WORKERS, renderBoundsTable } from '../../../src/scenario/bounds.js';
import { loadScenarioFile, ScenarioError, type ScenarioOverrides } from '../../../src/scenario/load.js';
import { MAX_TIMER_MS } from '../../../src/util/duration.js';
import { packageRoot } from '../../../src/util/paths.js';
import { exponential } from '../../../src/util/rng.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const catalogPath = sampleCatalogFile();
const tmp = makeTmpDir();
afterAll(() => tmp.cleanup());

let files = 0;
function scenario(yaml: string): string {
  return tmp.write(`b-${files++}.yaml`, `name: bounds\ncatalog: ${JSON.stringify(catalogPath)}\n${yaml}`);
}

function refusal(yaml: string, overrides: ScenarioOverrides = {}): ScenarioError {
  try {
    loadScenarioFile(scenario(yaml), overrides);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

const problemsOf = (yaml: string, overrides: ScenarioOverrides = {}): string[] => refusal(yaml, overrides).problems;

describe('counts and rates (found on main: clients 10000000 grew to 4 GB, arrivalRate 1e9 and requests 1e9 crashed, workers 1000 passed 4 GB)', () => {
  it('allows 10 million clients when few run at once, refuses one more', () => {
    const { scenario: s } = loadScenarioFile(scenario('load: { clients: 10000000, concurrency: 10 }\n'));
    expect(s.load).toMatchObject({ model: 'closed', clients: 10_000_000, concurrency: 10 });
    expect(problemsOf('load: { clients: 10000001, concurrency: 10 }\n')).toEqual([
      expect.stringMatching(/: load\.clients: expected a whole number from 1 to 10,000,000 \(MAX_CLIENTS\), got 10000001$/),
    ]);
  });

  it('refuses a huge arrival rate, naming the rate bound', () => {
    expect(problemsOf('load: { arrivalRate: 1e9, duration: 10s }\n')).toEqual([
      expect.stringMatching(/: load\.arrivalRate: expected a number above 0, up to 20,000 \(MAX_ARRIVAL_RATE\), got 1000000000$/),
    ]);
  });

  it('refuses an open run that would plan more than MAX_CLIENTS, saying it is the product that broke', () => {
    const problems = problemsOf('load: { arrivalRate: 20000, duration: 1000s }\n');
    expect(problems).toEqual([
      expect.stringMatching(
        /: load: expected arrivalRate × duration \(the clients planned in all\) of at most 10,000,000 \(MAX_CLIENTS\), got 20,000\/s × 1,000s = 20,000,000 clients$/,
      ),
    ]);
  });

  it('refuses a duration of 1e12 ms as past the timer bound', () => {
    expect(problemsOf('load: { arrivalRate: 1, duration: 1000000000000 }\n')[0]).toMatch(
      /: load\.duration: expected a duration from 1ms to 2147483647ms \(about 24\.9 days\) \(MAX_TIMER_MS\), got 1000000000000ms$/,
    );
  });

  it('refuses requests: 1e9 and, in the closed model, too many planned requests at once', () => {
    expect(problemsOf('client: { requests: 1e9 }\n')[0]).toMatch(
      /: client\.requests: expected a whole number from 1 to 10,000 \(MAX_REQUESTS\), got 1000000000$/,
    );
    expect(problemsOf('load: { clients: 5000, concurrency: 5000 }\nclient: { requests: 1000 }\n')[0]).toMatch(
      /: load\.concurrency: expected clients at once × client\.requests of at most 1,000,000 \(MAX_REQUESTS_AT_ONCE\), got 5,000 × 1,000 = 5,000,000$/,
    );
  });

  it('refuses a default concurrency (all clients at once) past MAX_CONCURRENCY and says what to give', () => {
    expect(problemsOf('load: { clients: 20000 }\n')[0]).toMatch(
      /: load\.concurrency: not given, so it is clients \(20,000\), above 10,000 at once \(MAX_CONCURRENCY\); give load\.concurrency$/,
    );
  });

  it('refuses workers: 1000, and caps the default at MAX_WORKERS', () => {
    expect(problemsOf('load: { workers: 1000 }\n')[0]).toMatch(/: load\.workers: expected a whole number from 1 to 64 \(MAX_WORKERS\), got 1000$/);
    const { scenario: s } = loadScenarioFile(scenario(''));
    expect(s.load.workers).toBeGreaterThanOrEqual(1);
    expect(s.load.workers).toBeLessThanOrEqual(MAX_WORKERS);
  });

  it('refuses the other numbers past their bounds, each with its constant', () => {
    const problems = problemsOf(
      [
        'seed: 1e20',
        'servers: [{ id: s1, streamSpeed: 0.001 }, { id: s2, port: 70000 }]',
        'client:',
        '  songs: { exponent: 50, absent: 1.5 }',
        '  action: { download: 2 }',
        'faults: [{ at: 1s, server: s1, action: throttle, bandwidth: 0B/s }]',
        'thresholds: { errors.total: "< 10000000000000000" }',
        '',
      ].join('\n'),
    );
    const text = problems.join('\n');
    expect(text).toMatch(
      /: seed: expected a whole number from -9,007,199,254,740,991 to 9,007,199,254,740,991 \(MAX_SEED_NUMBER\), or text, got 100000000000000000000/,
    );
    expect(text).toMatch(/: servers\.0\.streamSpeed: expected a number from 0\.01 to 10,000 \(MIN_STREAM_SPEED, MAX_STREAM_SPEED\), got 0\.001/);
    expect(text).toMatch(/: servers\.1\.port: expected a whole number from 0 to 65,535 \(TCP ports\), got 70000/);
    expect(text).toMatch(/: client\.songs\.exponent: expected a number above 0, up to 10 \(MAX_ZIPF_EXPONENT\), got 50/);
    expect(text).toMatch(/: client\.songs\.absent: expected a share between 0 and 1, got 1\.5/);
    expect(text).toMatch(/: faults\.0\.bandwidth: expected a bandwidth from 1B\/s to 10GB\/s \(MIN_BANDWIDTH, MAX_BANDWIDTH\), got "0B\/s" \(0 B\/s\)/);
    expect(text).toMatch(/: thresholds\.errors\.total: expected a number from 0 to 1,000,000,000,000,000 \(MAX_THRESHOLD_VALUE\) in the condition/);
  });

  it('refuses lists and texts past their bounds', () => {
    const ids = Array.from({ length: 2001 }, () => 'song-001');
    expect(problemsOf(`client: { songs: { ids: ${JSON.stringify(ids)} } }\n`)[0]).toMatch(
      /: client\.songs\.ids: expected a list of 1 to 2,000 items \(MAX_SONG_IDS\), got a list of 2001 items$/,
    );
    expect(problemsOf(`seed: ${'x'.repeat(300)}\n`)[0]).toMatch(/: seed: expected a text of 1 to 256 characters \(MAX_SEED_CHARS\), got 300 characters$/);
  });
});

describe('durations (found on main: past 2^31 ms Node timers fired after 1 ms)', () => {
  it('MAX_TIMER_MS is the longest delay a Node timer holds', () => {
    const held = setTimeout(() => undefined, MAX_TIMER_MS);
    const overflowed = setTimeout(() => undefined, MAX_TIMER_MS + 1);
    // Node keeps the delay it will honour in _idleTimeout: an overflowing one becomes 1 ms.
    const delays = [held, overflowed].map((t) => (t as unknown as { _idleTimeout: number })._idleTimeout);
    clearTimeout(held);
    clearTimeout(overflowed);
    expect(delays).toEqual([MAX_TIMER_MS, 1]);
  });

  it('refuses timeout: 1000h, a fault at 1000h and a think time of 1000h, with the bound', () => {
    const problems = problemsOf(
      'client:\n  timeout: 1000h\n  thinkTime: { distribution: constant, mean: 1000h }\nfaults:\n  - { at: 1000h, server: s1, action: crash }\n',
    );
    const bound = 'expected a duration from 0ms to 2147483647ms \\(about 24\\.9 days\\) \\(MAX_TIMER_MS\\), got "1000h" \\(3600000000ms\\)';
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /: client\.timeout: expected a duration from 1ms to 2147483647ms \(about 24\.9 days\) \(CLOCK_RESOLUTION_MS, MAX_TIMER_MS\), got "1000h" \(3600000000ms\)$/,
        ),
        expect.stringMatching(new RegExp(`: client\\.thinkTime\\.mean: ${bound}$`)),
        expect.stringMatching(new RegExp(`: faults\\.0\\.at: ${bound}$`)),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('refuses a fault whose end (at + for, at + restartAfter) is past the timer bound', () => {
    const problems = problemsOf(
      'faults:\n  - { at: 400h, server: s1, action: pause, for: 300h }\n  - { at: 400h, server: s2, action: crash, restartAfter: 300h }\n',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /: faults\.0\.for: expected at \+ for of at most 2147483647ms \(about 24\.9 days\) \(MAX_TIMER_MS: the end is a timer armed at the run's start\), got "400h" \+ "300h" = 2520000000ms$/,
      ),
      expect.stringMatching(/: faults\.1\.restartAfter: expected at \+ restartAfter of at most/),
    ]);
  });

  it('refuses an exponential think time whose longest draw would not fit a timer', () => {
    expect(problemsOf('client:\n  thinkTime: { distribution: exponential, mean: 30h }\n')[0]).toMatch(
      /: client\.thinkTime\.mean: expected an exponential mean of at most 93368854ms \(about 1\.1 days\) \(MAX_EXPONENTIAL_MEAN_MS/,
    );
    // The longest draw the generator can make (its floats are multiples of 2^-32) still fits.
    expect(exponential({ next: () => 1 - 2 ** -32 }, MAX_EXPONENTIAL_MEAN_MS)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it('accepts durations at the bound', () => {
    const { scenario: s } = loadScenarioFile(
      scenario(
        `load: { arrivalRate: 0.001, duration: ${MAX_TIMER_MS} }\nclient: { timeout: ${MAX_TIMER_MS}, thinkTime: { distribution: uniform, min: 0ms, max: ${MAX_TIMER_MS} } }\n`,
      ),
    );
    expect(s.load).toMatchObject({ model: 'open', durationMs: MAX_TIMER_MS });
    expect(s.client.timeoutMs).toBe(MAX_TIMER_MS);
  });

  it('refuses a timeout below the clock resolution (found on main: 0.5ms made every request fail, exit 0)', () => {
    expect(problemsOf('client: { timeout: 0.5ms }\n')).toEqual([
      expect.stringMatching(/: client\.timeout: expected a duration from 1ms to 2147483647ms .*, got "0\.5ms" \(0\.5ms\)$/),
    ]);
    expect(loadScenarioFile(scenario('client: { timeout: 1ms }\n')).scenario.client.timeoutMs).toBe(1);
  });
});

describe('command-line overrides (found on main: --workers abc was blamed on the file as "got null")', () => {
  it('blames a non-number on the option, as yargs gives it (NaN) or as text', () => {
    const fromYargs = refusal('', { workers: Number.NaN });
    expect(fromYargs.problems).toEqual(['--workers: expected a whole number from 1 to 64 (MAX_WORKERS), got NaN (not a number)']);
    expect(fromYargs.code).toBe('E_SCENARIO_INVALID');
    expect(fromYargs.message).toMatch(/^the command-line options are not valid:/);
    expect(problemsOf('', { workers: 'abc' })).toEqual(['--workers: expected a whole number from 1 to 64 (MAX_WORKERS), got "abc"']);
  });

  it('checks every override against the same bounds as the file', () => {
    const problems = problemsOf('', { clients: 0, concurrency: 1e9, arrivalRate: -1, duration: '1000h', workers: 65, seed: 1e300 });
    expect(problems).toEqual([
      expect.stringMatching(/^--seed: expected a whole number .* \(MAX_SEED_NUMBER\), or text, got 1e\+300$/),
      '--clients: expected a whole number from 1 to 10,000,000 (MAX_CLIENTS), got 0',
      '--concurrency: expected a whole number from 1 to 10,000 (MAX_CONCURRENCY), got 1000000000',
      '--arrival-rate: expected a number above 0, up to 20,000 (MAX_ARRIVAL_RATE), got -1',
      '--duration: expected a duration from 1ms to 2147483647ms (about 24.9 days) (MAX_TIMER_MS), got "1000h" (3600000000ms)',
      '--workers: expected a whole number from 1 to 64 (MAX_WORKERS), got 65',
    ]);
  });

  it('reports bad options and a bad file together', () => {
    const problems = problemsOf('load: { workers: 0 }\nclient: { timeout: soon }\n', { clients: 'many' });
    expect(problems[0]).toBe('--clients: expected a whole number from 1 to 10,000,000 (MAX_CLIENTS), got "many"');
    expect(problems.slice(1).join('\n')).toMatch(/load\.workers: .*got 0\n.*client\.timeout: expected a duration like 250ms, 5s or 2m, got "soon"/);
  });

  it('accepts numbers given as text, and names the option when a bound across keys breaks', () => {
    expect(loadScenarioFile(scenario(''), { workers: '3', clients: '4' }).scenario.load).toMatchObject({ workers: 3, clients: 4 });
    expect(problemsOf('', { clients: 20000 })[0]).toMatch(
      /load\.concurrency: not given, so it is clients \(20,000\).* \(with --clients 20000 from the command line\)$/,
    );
    expect(problemsOf('', { arrivalRate: 20000, duration: '1000s' })[0]).toMatch(
      /: load: expected arrivalRate × duration .* \(with --arrival-rate 20000, --duration "1000s" from the command line\)$/,
    );
  });
});

describe('YAML that could hurt (found on main: an alias bomb gave a ReferenceError and a stack trace)', () => {
  const bomb = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    'name: bomb',
    '',
  ].join('\n');

  it('refuses an alias bomb as a scenario error naming the file and the limit', () => {
    const file = tmp.write('bomb.yaml', bomb);
    let caught: unknown;
    try {
      loadScenarioFile(file);
    } catch (err) {
      caught = err;
    }
    expect(isJukeboxError(caught, 'E_SCENARIO_INVALID')).toBe(true);
    expect((caught as ScenarioError).problems).toEqual([
      expect.stringMatching(/bomb\.yaml: expected at most 100 alias expansions \(MAX_YAML_ALIASES\), got more: refused as a possible alias bomb/),
    ]);
  });

  it('refuses an alias with no anchor, and an alias that refers to itself is only a bad value', () => {
    expect(problemsOf('load: *nowhere\n')[0]).toMatch(/b-\d+\.yaml: .*nowhere/);
    expect(problemsOf('load: &l { clients: *l }\n')[0]).toMatch(/: load\.clients: expected a whole number .*, got a map \(clients\)$/);
  });

  it('gives a syntax error whole: line, column, what was expected and where (found on main: cut off after "column 3:")', () => {
    const problems = problemsOf('load: [\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/b-\d+\.yaml: line 4, column 1 \(at the end of the file\): .*must .*end with a \]$/);
    expect(problemsOf('load:\n  clients: 5\n concurrency: 2\n')[0]).toMatch(/: line 5, column 1 \(near " concurrency: 2"\): .*same column/);
  });

  it('refuses nesting past MAX_YAML_DEPTH before composing it, however often (deep nesting, repeated, crashed the process)', () => {
    for (const deep of ['['.repeat(10_000) + ']'.repeat(10_000), '- '.repeat(10_000) + 'x', 'x: ' + '{a: '.repeat(5000) + '1' + '}'.repeat(5000)]) {
      for (let i = 0; i < 3; i++)
        expect(problemsOf(deep)[0]).toMatch(
          /: line 3, column \d+ \(near .*\): expected collections nested at most 32 deep \(MAX_YAML_DEPTH; a scenario nests 4 deep\), got deeper$/,
        );
    }
  });

  it('refuses a key written twice and a collection as a key, with their lines', () => {
    const problems = problemsOf('load: { clients: 5 }\nclient: { requests: 2, requests: 3 }\nload: { clients: 6 }\n? [a]\n: 1\n');
    expect(problems).toEqual([
      expect.stringMatching(/: line 4, column 24 \(near .*\): expected each key once in a map, got "requests" again \(first on line 4\)$/),
      expect.stringMatching(/: line 5, column 1 \(near "load: \{ clients: 6 \}"\): expected each key once in a map, got "load" again \(first on line 3\)$/),
      expect.stringMatching(/: line 6, column 3 \(near "\? \[a\]"\): expected a plain key, got a collection or an alias as a key$/),
    ]);
  });

  it('refuses a second document, a file past MAX_SCENARIO_BYTES and a file that is not a regular one', () => {
    expect(problemsOf('---\nname: two\n')[0]).toMatch(/: line 3, column 1 \(near "---"\): expected one YAML document, got a second one here$/);
    expect(problemsOf(`description: ${'x'.repeat(140_000)}\n`)[0]).toMatch(/: the file holds 140,\d{3} bytes, expected at most 131,072 \(MAX_SCENARIO_BYTES/);
    expect(() => loadScenarioFile(tmp.dir)).toThrow(/cannot read scenario .*: EISDIR/);
  });

  it('shows keys and values from the file with their control characters escaped, and lists at most MAX_PROBLEMS_SHOWN', () => {
    const problems = problemsOf('load: { "\\e]0;pwned\\a": 1 }\nclient: { prefer: "\\e[2J" }\n');
    expect(problems.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(problems.join('\n')).toContain('\\u001b]0;pwned\\u0007');
    const many = refusal(Array.from({ length: 120 }, (_, i) => `unknown${i}: 1`).join('\n'));
    expect(many.problems).toHaveLength(120);
    expect(many.message.split('\n')).toHaveLength(1 + MAX_PROBLEMS_SHOWN + 1);
    expect(many.message).toMatch(/… and 70 more problems$/);
  });
});

describe('the bounds table', () => {
  it('docs/scenarios.md shows the table the validator uses, row for row', () => {
    const doc = readFileSync(join(packageRoot, 'docs', 'scenarios.md'), 'utf8');
    // If this fails, paste renderBoundsTable()'s output into the doc's "Bounds" section.
    expect(doc).toContain(renderBoundsTable());
    for (const bound of Object.values(BOUNDS)) expect(doc).toContain(`| \`${bound.key}\` |`);
  });
});
