// deploy/kubernetes/ without a cluster: every manifest is a valid API object (kubernetes-models'
// schemas, unknown keys refused as kubectl's strict validation does), the load is an Indexed Job
// whose pods pick their shard from the index and write where the merge reads, the Services are
// where the scenario looks for its servers, the image is built from Node 20 with npm ci, and the
// scenario loads with the project's own loader. Each check is also shown to catch a broken copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../src/scenario/load.js';
import { countSelected } from '../../../src/scenario/plan.js';
import { packageRoot } from '../../../src/util/paths.js';
import {
  DEPLOY_DIR,
  dockerfileProblems,
  find,
  loadJobProblems,
  manifestFiles,
  mergeJobProblems,
  optionValue,
  parseManifests,
  readManifests,
  REPORTS_CLAIM,
  schemaProblems,
  serverProblems,
  type Manifest,
} from './manifests.js';

const read = (file: string) => readFileSync(join(DEPLOY_DIR, file), 'utf8');
const manifests = readManifests();
const kustomization = parse(read('kustomization.yaml')) as {
  resources: string[];
  configMapGenerator: { name: string; files: string[] }[];
};
const generator = kustomization.configMapGenerator[0] as { name: string; files: string[] };
const scenarioFile = join(DEPLOY_DIR, generator.files[0] as string);
const scenario = { configMap: generator.name, key: basename(scenarioFile) };
const dockerfile = dockerfileProblems(read('Dockerfile'));
const image = { workdir: dockerfile.workdir ?? '(none)' };
const loadJob = find<IJob>(manifests, 'Job', 'jukebox-load');
const mergeJob = find<IJob>(manifests, 'Job', 'jukebox-merge');
const readme = read('README.md');

const copy = <T>(value: T): T => structuredClone(value);

describe('every manifest in deploy/kubernetes', () => {
  it('holds the objects a run needs', () => {
    expect(manifests.map((m) => `${m.kind}/${m.name}`).sort()).toEqual([
      'Deployment/jukebox-s1',
      'Deployment/jukebox-s2',
      'Job/jukebox-load',
      'Job/jukebox-merge',
      'PersistentVolumeClaim/jukebox-reports',
      'Pod/jukebox-reports',
      'Service/jukebox-s1',
      'Service/jukebox-s2',
    ]);
  });

  it.each(manifests.map((m): [string, Manifest] => [`${m.file}: ${m.kind} ${m.name}`, m]))('%s validates against the Kubernetes API schema', (_, manifest) => {
    expect(schemaProblems(manifest)).toEqual([]);
  });

  it('a schema error or an unknown key is found', () => {
    const job = manifests.find((m) => m.name === 'jukebox-load') as Manifest;
    const wrongEnum = copy(job);
    (wrongEnum.doc.spec as Record<string, unknown>).completionMode = 'Index';
    expect(schemaProblems(wrongEnum).join('\n')).toMatch(/completionMode/);
    const misspelled = copy(job);
    const shard = (misspelled.doc as unknown as IJob).spec?.template.spec?.containers[0] as unknown as Record<string, unknown>;
    shard.comand = shard.command;
    expect(schemaProblems(misspelled)).toEqual([expect.stringMatching(/spec\.template\.spec\.containers\.0\.comand: not a field/)]);
    const [bad] = parseManifests('bad.yaml', 'apiVersion: batch/v2\nkind: Job\nmetadata: { name: x }\n');
    expect(schemaProblems(bad as Manifest)).toEqual([expect.stringMatching(/apiVersion: expected batch\/v1/)]);
  });

  it('kustomization.yaml names every manifest except the ones the README applies after the load', () => {
    const later = manifestFiles().filter((f) => !kustomization.resources.includes(f));
    expect(later.sort()).toEqual(['merge-job.yaml', 'report-reader.yaml']);
    for (const f of later) expect(readme).toContain(`kubectl apply -f deploy/kubernetes/${f}`);
    expect(kustomization.resources.every((f) => manifestFiles().includes(f))).toBe(true);
  });
});

describe('the load: an Indexed Job of N shards', () => {
  it('runs shard index+1 of N = completions = parallelism and writes its report on the shared volume', () => {
    expect(loadJobProblems(loadJob, image, scenario)).toEqual([]);
    expect(loadJob.spec?.completions).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['completions without parallelism', (j: IJob) => Object.assign(j.spec ?? {}, { completions: 5 }), /parallelism: expected 5/],
    ['another N in --shard', (j: IJob) => setArg(j, '--shard', 'index/3'), /--shard: expected index\/4/],
    ['a fixed shard', (j: IJob) => setArg(j, '--shard', '1/4'), /--shard: expected index\/4/],
    ['not Indexed', (j: IJob) => Object.assign(j.spec ?? {}, { completionMode: 'NonIndexed' }), /completionMode: expected Indexed/],
    ['a report off the volume', (j: IJob) => setArg(j, '--out', '/tmp/shard-$(JOB_COMPLETION_INDEX).json'), /--out: expected \/reports\//],
    ['one report name for all', (j: IJob) => setArg(j, '--out', '/reports/shard.json'), /--out: expected/],
    ['a scenario outside the ConfigMap', (j: IJob) => setScenario(j, 'scenarios/100-clients.yaml'), /scenario: expected/],
  ])('a Job with %s is caught', (_, breakIt, message) => {
    const job = copy(loadJob);
    breakIt(job);
    expect(loadJobProblems(job, image, scenario).join('\n')).toMatch(message);
  });

  it('reads its scenario from the ConfigMap the kustomization generates from scenario/load.yaml', () => {
    expect(generator.files).toEqual(['scenario/load.yaml']);
    // In the pod the catalog the scenario names is the image's, as here it is the project's.
    const catalogKey = (parse(readFileSync(scenarioFile, 'utf8')) as { catalog: string }).catalog;
    const volume = loadJob.spec?.template.spec?.volumes?.find((v) => v.configMap?.name === generator.name);
    const mount = loadJob.spec?.template.spec?.containers[0]?.volumeMounts?.find((m) => m.name === volume?.name)?.mountPath;
    expect(join(mount ?? '', catalogKey)).toBe(join(image.workdir, 'catalog.json'));
    expect(join(scenarioFile, '..', catalogKey)).toBe(join(packageRoot, 'catalog.json'));
  });
});

describe('the merge: one report from the N shards', () => {
  it('lists exactly the N reports the load Job writes, from the same volume', () => {
    expect(mergeJobProblems(loadJob, mergeJob)).toEqual([]);
  });

  it('a merge missing a shard, or of another N, is caught', () => {
    const missing = copy(mergeJob);
    const c = missing.spec?.template.spec?.containers[0];
    if (c?.args) c.args = c.args.filter((a) => a !== '/reports/shard-3.json');
    expect(mergeJobProblems(loadJob, missing).join('\n')).toMatch(/expected the 4 shard reports/);
    const more = copy(loadJob);
    Object.assign(more.spec ?? {}, { completions: 5, parallelism: 5 });
    expect(mergeJobProblems(more, mergeJob).join('\n')).toMatch(/expected the 5 shard reports/);
  });

  it('reads the volume the shards write, which every pod may mount at once (ReadWriteMany)', () => {
    const claim = find<IPersistentVolumeClaim>(manifests, 'PersistentVolumeClaim', REPORTS_CLAIM);
    expect(claim.spec?.accessModes).toEqual(['ReadWriteMany']);
    for (const name of ['jukebox-load', 'jukebox-merge', 'jukebox-reports']) {
      const users = manifests.filter((m) => m.name === name && m.kind !== 'PersistentVolumeClaim');
      expect(users.map((m) => JSON.stringify(m.doc))).toEqual([expect.stringContaining(`"claimName":"${REPORTS_CLAIM}"`)]);
    }
  });
});

describe('the servers and the scenario', () => {
  const loaded = loadScenarioFile(scenarioFile);

  it('the scenario loads with the project loader; its servers are the Services, at the catalog ports serve listens on', () => {
    expect(serverProblems(manifests, loaded.scenario, loaded.catalog.catalog)).toEqual([]);
    expect(loaded.scenario.servers.map((s) => `${s.host}:${s.port}`)).toEqual(['jukebox-s1:5000', 'jukebox-s2:5001']);
    expect(loaded.scenario.faults).toEqual([]);
  });

  it('every shard of the Job gets clients', () => {
    const n = loadJob.spec?.completions ?? 0;
    const counts = Array.from({ length: n }, (_, i) => countSelected(loaded.scenario, { first: i, stride: n }));
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(countSelected(loaded.scenario));
  });

  it.each([
    ['another Service port', (m: Manifest[]) => (find<IService>(m, 'Service', 'jukebox-s2').spec!.ports![0]!.port = 5002), /expected port 5001/],
    ['a selector matching no pod', (m: Manifest[]) => (find<IService>(m, 'Service', 'jukebox-s1').spec!.selector = { 'jukebox/server': 's3' }), /matched 0/],
    [
      'a Service renamed',
      (m: Manifest[]) => ((m.find((x) => x.name === 'jukebox-s1' && x.kind === 'Service') as Manifest).name = 'jukebox-one'),
      /expected a Service named jukebox-s1/,
    ],
  ])('%s is caught', (_, breakIt, message) => {
    const broken = copy(manifests);
    breakIt(broken);
    expect(serverProblems(broken, loaded.scenario, loaded.catalog.catalog).join('\n')).toMatch(message);
  });

  it('a server pod serving the wrong server is caught', () => {
    const broken = copy(manifests);
    const s1 = broken.find((x) => x.name === 'jukebox-s1' && x.kind === 'Deployment')?.doc as {
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    };
    const c = s1.spec.template.spec.containers[0] as { command: string[] };
    c.command = c.command.map((a) => (a === 's1' ? 's2' : a));
    expect(serverProblems(broken, loaded.scenario, loaded.catalog.catalog).join('\n')).toMatch(/serve --server s1/);
  });
});

describe('the image', () => {
  it('is built from Node 20 with npm ci and the build, and runs as a non-root user', () => {
    expect(dockerfile.problems).toEqual([]);
    expect(dockerfile.workdir).toBe('/app');
  });

  it.each([
    ['another Node', (t: string) => t.replace('node:20-bookworm-slim', 'node:18-bookworm-slim'), /Node 20/],
    ['npm install', (t: string) => t.replace(/RUN npm ci --ignore-scripts/, 'RUN npm install'), /npm ci/],
    ['root', (t: string) => t.replace(/USER .*/, 'USER root'), /non-root/],
  ])('a Dockerfile with %s is caught', (_, breakIt, message) => {
    expect(dockerfileProblems(breakIt(read('Dockerfile'))).problems.join('\n')).toMatch(message);
  });

  it('every pod runs the image the README builds, and the build context leaves out what is made inside', () => {
    const tag = /docker build -f deploy\/kubernetes\/Dockerfile -t (\S+) \./.exec(readme)?.[1];
    expect(tag).toBe('jukebox:0.1.0');
    const images = manifests.flatMap((m) => JSON.stringify(m.doc).match(/"image":"[^"]+"/g) ?? []);
    expect(images.length).toBeGreaterThanOrEqual(6);
    expect(new Set(images)).toEqual(new Set([`"image":"${tag}"`]));
    const ignored = read('Dockerfile.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.cache', '.git']));
  });

  it('the load pods run the wait for the servers the scenario names', () => {
    const wait = loadJob.spec?.template.spec?.initContainers?.[0];
    const loaded = loadScenarioFile(scenarioFile);
    expect(wait?.command?.slice(0, 2)).toEqual(['node', 'deploy/kubernetes/wait-for-servers.mjs']);
    expect(wait?.command?.filter((a) => a.includes(':'))).toEqual(loaded.scenario.servers.map((s) => `${s.host}:${s.port}`));
    expect(read('Dockerfile')).toMatch(/^COPY deploy\/kubernetes\/wait-for-servers\.mjs /m);
  });
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('kubectl kustomize deploy/kubernetes', () => {
  const title = 'builds objects that validate, the Job pointing at the generated scenario ConfigMap';
  it.skipIf(!kubectl)(kubectl ? title : `${title} (skipped: kubectl is not installed; see https://kubernetes.io/docs/tasks/tools/)`, () => {
    const built = parseManifests('kubectl kustomize', execFileSync('kubectl', ['kustomize', DEPLOY_DIR], { encoding: 'utf8' }));
    for (const m of built) expect(schemaProblems(m)).toEqual([]);
    const configMap = built.find((m) => m.kind === 'ConfigMap') as Manifest;
    expect((configMap.doc.data as Record<string, string>)[scenario.key]).toBe(readFileSync(scenarioFile, 'utf8'));
    const job = find<IJob>(built, 'Job', 'jukebox-load');
    expect(job.spec?.template.spec?.volumes?.map((v) => v.configMap?.name)).toContain(configMap.name);
    expect(optionValue(job.spec?.template.spec?.containers[0]?.args, '--shard')).toBe(`index/${job.spec?.completions}`);
  });
});

function setArg(job: IJob, option: string, value: string): void {
  const c = job.spec?.template.spec?.containers[0];
  if (!c?.args) throw new Error('no args');
  c.args[c.args.indexOf(option) + 1] = value;
}

function setScenario(job: IJob, file: string): void {
  const c = job.spec?.template.spec?.containers[0];
  if (!c?.args) throw new Error('no args');
  c.args[0] = file;
}
