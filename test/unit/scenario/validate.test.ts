import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, ScenarioError } from '../../../src/scenario/load.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';

const defaultCatalogPath = sampleCatalogFile();
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir();
afterAll(() => tmp.cleanup());

function scenario(yaml: string): string {
  return tmp.write(`s-${Math.random().toString(36).slice(2)}.yaml`, `catalog: ${JSON.stringify(defaultCatalogPath)}\n${yaml}`);
}

function problemsOf(yaml: string): string[] {
  try {
    loadScenarioFile(scenario(yaml));
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario validation', () => {
  it('accepts a minimal scenario and fills the defaults', () => {
    const { scenario: s } = loadScenarioFile(scenario('name: tiny\n'));
    expect(s.name).toBe('tiny');
    expect(s.load).toMatchObject({ model: 'closed', clients: 10, concurrency: 10 });
    expect(s.client).toMatchObject({ requests: 5, connection: 'persistent', prefer: 'fastest', action: { download: 1, stream: 0 } });
    expect(s.servers.map((x) => x.id)).toEqual(['s1', 's2']);
  });

  it('names the file, the key path, what was expected and what was found', () => {
    const problems = problemsOf('name: bad\nload:\n  clients: ten\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/s-\w+\.yaml: load\.clients: expected a whole number from 1 to 10,000,000 \(MAX_CLIENTS\), got "ten"$/);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf('name: bad\nload:\n  clients: 0\n  workers: -1\nclient:\n  connection: sometimes\n  songs: { absent: 2 }\n');
    expect(problems.map((p) => p.split(': ')[1])).toEqual(expect.arrayContaining(['load.clients', 'load.workers', 'client.connection', 'client.songs.absent']));
    expect(problems).toHaveLength(4);
  });

  it('says what a map should hold when it gets something else, and what it got', () => {
    const problems = problemsOf('name: bad\nload: 5\nclient: [1]\nfaults: [5]\n');
    expect(problems).toEqual([
      expect.stringMatching(/: load: expected a map of load keys \(clients, concurrency, workers, or arrivalRate, duration, rampUp, workers\), got 5$/),
      expect.stringMatching(/: client: expected a map of client keys .*, got a list of 1 item$/),
      expect.stringMatching(/: faults\.0: expected a fault like \{ at: 5s, server: s1, action: crash \}, got 5$/),
    ]);
    expect(() => loadScenarioFile(tmp.write('empty.yaml', ''))).toThrow(
      /empty\.yaml: \(top level\): expected a map of scenario keys \(name, load, client, …\), got null \(nothing\)/,
    );
  });

  it('refuses unknown keys with a did-you-mean', () => {
    const problems = problemsOf('name: bad\nload:\n  clinets: 5\n');
    expect(problems[0]).toMatch(/load\.clinets: unknown key; did you mean "clients"\?/);
  });

  it('refuses an unknown top-level key', () => {
    expect(problemsOf('name: bad\nthreshold:\n  errors.rate: "< 0.1"\n')[0]).toMatch(/threshold: unknown key; did you mean "thresholds"\?/);
  });

  it('refuses bad durations', () => {
    expect(problemsOf('name: bad\nclient:\n  timeout: soon\n')[0]).toMatch(/client\.timeout: expected a duration like 250ms, 5s or 2m, got "soon"/);
  });

  it('refuses mixing the open and closed models', () => {
    expect(problemsOf('name: bad\nload:\n  clients: 5\n  arrivalRate: 10\n  duration: 5s\n')[0]).toMatch(/load: expected either the closed model/);
  });

  it('needs duration in the open model', () => {
    expect(problemsOf('name: bad\nload:\n  arrivalRate: 10\n')[0]).toMatch(/load\.duration: the open model needs duration/);
  });

  it('checks think-time distributions', () => {
    expect(problemsOf('name: bad\nclient:\n  thinkTime: { distribution: uniform, min: 200ms, max: 100ms }\n')[0]).toMatch(
      /client\.thinkTime\.min: expected min ≤ max/,
    );
    expect(problemsOf('name: bad\nclient:\n  thinkTime: { distribution: poisson, mean: 1s }\n')[0]).toMatch(
      /client\.thinkTime\.distribution: expected constant, uniform or exponential, got "poisson"/,
    );
  });

  it('checks prefer against the servers', () => {
    expect(problemsOf('name: bad\nclient:\n  prefer: s3\n')[0]).toMatch(
      /client\.prefer: expected fastest, random, least-loaded or a server id \(s1, s2\); did you mean "s1"\?, got "s3"/,
    );
  });

  it('checks server ids against the catalog', () => {
    expect(problemsOf('name: bad\nservers:\n  - { id: s9, port: 0 }\n')[0]).toMatch(/servers\.0\.id: expected a server of the catalog \(s1, s2\)/);
  });

  it('checks action shares add up to 1', () => {
    expect(problemsOf('name: bad\nclient:\n  action: { download: 0.5, stream: 0.2 }\n')[0]).toMatch(
      /client\.action: expected download and stream shares that add up to 1/,
    );
  });

  it('checks faults and thresholds', () => {
    const problems = problemsOf(
      'name: bad\nfaults:\n  - { at: 1s, server: s7, action: crash }\n  - { at: 2s, server: s1, action: delay }\nthresholds:\n  latency.chek.p99: "< 5ms"\n  errors.rate: "about 1"\n',
    );
    expect(problems.join('\n')).toMatch(/faults\.0\.server: expected a server of this scenario/);
    expect(problems.join('\n')).toMatch(/faults\.1\.latency: a delay fault needs latency/);
    expect(problems.join('\n')).toMatch(/thresholds\.errors\.rate: expected a condition like/);
  });

  it('reports unknown threshold metrics with a did-you-mean', () => {
    expect(problemsOf('name: bad\nthresholds:\n  latency.chek.p99: "< 5ms"\n')[0]).toMatch(
      /thresholds\.latency\.chek\.p99: unknown metric; did you mean "latency\.check\.p99"\?/,
    );
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(problemsOf('name: bad\nload: [\n')[0]).toMatch(/line \d+/);
  });

  it('reports a missing catalog', () => {
    const file = tmp.write('nocat.yaml', 'name: x\ncatalog: ./nope.json\n');
    expect(() => loadScenarioFile(file)).toThrow(/catalog: cannot read catalog/);
  });

  it('applies command-line overrides, validated like the file', () => {
    const { scenario: s } = loadScenarioFile(scenario('name: o\nseed: 1\nload: { arrivalRate: 5, duration: 2s }\n'), { seed: 99, clients: 3 });
    expect(s.seed).toBe(99);
    expect(s.load).toMatchObject({ model: 'closed', clients: 3 });
  });

  it('refuses a file that does not exist', () => {
    expect(() => loadScenarioFile('/no/such/file.yaml')).toThrow(/cannot read scenario/);
  });
});
