// Checks of deploy/kubernetes/ that need no cluster: each manifest against the Kubernetes API
// schema (kubernetes-models), plus the checks that tie the files together (the Job's N, the report
// paths on the shared volume, the Services against the scenario, the image recipe). Each check
// returns its problems as text, so that a test can show it finds a broken copy as well as pass
// the real files.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod, type IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import type { Catalog } from '../../../src/catalog/types.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { packageRoot } from '../../../src/util/paths.js';

export const DEPLOY_DIR = join(packageRoot, 'deploy', 'kubernetes');
/** The files that are not API objects: kustomize's own file, and the scenario (a ConfigMap's content). */
export const NOT_MANIFESTS = new Set(['kustomization.yaml']);

/** One API object of a manifest file, as parsed (plain data). */
export interface Manifest {
  file: string;
  kind: string;
  name: string;
  doc: Record<string, unknown>;
}

type Validating = { validate(): void };
/** Each kind deploy/kubernetes uses, with its API version and its schema (a kubernetes-models class). */
const MODELS: Record<string, { apiVersion: string; create(data: unknown): Validating }> = {
  Deployment: { apiVersion: 'apps/v1', create: (d) => new Deployment(d as IDeployment) },
  Job: { apiVersion: 'batch/v1', create: (d) => new Job(d as IJob) },
  Service: { apiVersion: 'v1', create: (d) => new Service(d as IService) },
  PersistentVolumeClaim: { apiVersion: 'v1', create: (d) => new PersistentVolumeClaim(d as IPersistentVolumeClaim) },
  Pod: { apiVersion: 'v1', create: (d) => new Pod(d as IPod) },
  ConfigMap: { apiVersion: 'v1', create: (d) => new ConfigMap(d as IConfigMap) },
};

/** The YAML files of deploy/kubernetes/ (not its subfolders) that hold API objects. */
export function manifestFiles(): string[] {
  return readdirSync(DEPLOY_DIR)
    .filter((f) => f.endsWith('.yaml') && !NOT_MANIFESTS.has(f))
    .sort();
}

/** Every document of a multi-document YAML text; a YAML error is thrown with the file's name. */
export function parseManifests(file: string, text: string): Manifest[] {
  return parseAllDocuments(text).map((document, i) => {
    if (document.errors.length > 0) throw new Error(`${file}: document ${i + 1}: ${document.errors.map((e) => e.message).join('; ')}`);
    const doc: unknown = document.toJS();
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: document ${i + 1}: expected a mapping`);
    const record = doc as Record<string, unknown>;
    const metadata = record.metadata as { name?: unknown } | undefined;
    return { file, kind: String(record.kind), name: String(metadata?.name), doc: record };
  });
}

export function readManifests(): Manifest[] {
  return manifestFiles().flatMap((f) => parseManifests(f, readFileSync(join(DEPLOY_DIR, f), 'utf8')));
}

function schemaError(doc: unknown): string | undefined {
  const model = MODELS[String((doc as { kind?: unknown }).kind)];
  if (!model) return `kind ${String((doc as { kind?: unknown }).kind)}: not one this check knows`;
  try {
    model.create(structuredClone(doc)).validate();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A value no field of the Kubernetes API accepts (strings, numbers, objects, lists of strings or
 * of objects, int-or-string all refuse a list of lists): a key whose value may be replaced by it
 * without a schema error is a key the schema does not know, e.g. a misspelled `comand`.
 */
const PROBE = [[[]]];

/** Every key path of the document's mappings (list items are walked, their indices not probed). */
function keyPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [[...path, key], ...keyPaths(child, [...path, key])]);
}

function withValueAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

/**
 * What the API server would refuse in this object: the schema's errors (types, enums, required
 * fields), and keys the schema does not know (kubectl's default strict field validation refuses
 * them; kubernetes-models' validators alone let them through).
 */
export function schemaProblems(manifest: Manifest): string[] {
  const where = `${manifest.file}: ${manifest.kind} ${manifest.name}`;
  const model = MODELS[manifest.kind];
  if (model && manifest.doc.apiVersion !== model.apiVersion)
    return [`${where}: apiVersion: expected ${model.apiVersion}, got ${String(manifest.doc.apiVersion)}`];
  const error = schemaError(manifest.doc);
  if (error) return [`${where}: ${error}`];
  return keyPaths(manifest.doc)
    .filter((path) => schemaError(withValueAt(manifest.doc, path, PROBE)) === undefined)
    .map((path) => `${where}: ${path.join('.')}: not a field of the ${manifest.kind} schema`);
}

export function find<T>(manifests: Manifest[], kind: string, name: string): T {
  const found = manifests.find((m) => m.kind === kind && m.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes/`);
  return found.doc as T;
}

/** The value after `option` in a container's args (or command). */
export function optionValue(list: readonly string[] | undefined, option: string): string | undefined {
  const i = (list ?? []).indexOf(option);
  return i < 0 ? undefined : list?.[i + 1];
}

function podSpec(job: IJob): IPodSpec {
  const spec = job.spec?.template.spec;
  if (!spec) throw new Error(`Job ${job.metadata?.name}: no pod template spec`);
  return spec;
}

function container(spec: IPodSpec, name: string): IContainer {
  const found = spec.containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** Where the pod mounts the volume of a PersistentVolumeClaim, or a ConfigMap. */
function mountOf(spec: IPodSpec, c: IContainer, source: { claim: string } | { configMap: string }): string | undefined {
  const volume = spec.volumes?.find((v) => ('claim' in source ? v.persistentVolumeClaim?.claimName === source.claim : v.configMap?.name === source.configMap));
  return c.volumeMounts?.find((m) => m.name === volume?.name)?.mountPath;
}

export const REPORTS_CLAIM = 'jukebox-reports';
export const INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
/** Where the load pods write their reports, as the Job's args say it (Kubernetes expands $(VAR) from the container's env). */
export const SHARD_REPORT = 'shard-$(JOB_COMPLETION_INDEX).json';

/** The image's working directory: where the args' relative paths start. */
export interface ImageLayout {
  workdir: string;
}

/**
 * The load Job runs one shard per index: Indexed, N = completions = parallelism (all shards at
 * once, or their time windows would not overlap), `--shard index/N`, and its report on the
 * shared volume under a name made of the index; the scenario read from the ConfigMap's mount.
 */
export function loadJobProblems(job: IJob, image: ImageLayout, scenario: { configMap: string; key: string }): string[] {
  const problems: string[] = [];
  const spec = job.spec;
  const n = spec?.completions;
  if (spec?.completionMode !== 'Indexed') problems.push(`completionMode: expected Indexed, got ${spec?.completionMode}`);
  if (n === undefined || n < 2) problems.push(`completions: expected N ≥ 2 shards (merge takes two parts or more), got ${n}`);
  if (spec?.parallelism !== n) problems.push(`parallelism: expected ${n} (= completions: every shard at once), got ${spec?.parallelism}`);
  const pod = podSpec(job);
  if (pod.restartPolicy !== 'Never') problems.push(`restartPolicy: expected Never (a rerun shard would not overlap the others), got ${pod.restartPolicy}`);
  const shard = container(pod, 'shard');
  const args = [...(shard.command ?? []), ...(shard.args ?? [])];
  if (!args.includes('bin/simulate.js')) problems.push(`shard: expected to run bin/simulate.js, got ${args.join(' ')}`);
  const selector = optionValue(args, '--shard');
  if (selector !== `index/${n}`) problems.push(`--shard: expected index/${n} (the shard from JOB_COMPLETION_INDEX, of completions = ${n}), got ${selector}`);
  const index = shard.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
  if (index?.valueFrom?.fieldRef?.fieldPath !== INDEX_ANNOTATION)
    problems.push(`env JOB_COMPLETION_INDEX: expected from ${INDEX_ANNOTATION}, got ${JSON.stringify(index)}`);
  const reports = mountOf(pod, shard, { claim: REPORTS_CLAIM });
  if (!reports) problems.push(`shard: expected the volume of claim ${REPORTS_CLAIM} mounted`);
  const out = optionValue(args, '--out');
  if (out !== `${reports}/${SHARD_REPORT}`) problems.push(`--out: expected ${reports}/${SHARD_REPORT} (on the reports volume, named by the index), got ${out}`);
  const scenarioMount = mountOf(pod, shard, { configMap: scenario.configMap });
  const scenarioArg = args[args.indexOf('bin/simulate.js') + 1] ?? '';
  const scenarioPath = posix.resolve(image.workdir, scenarioArg);
  if (scenarioPath !== `${scenarioMount}/${scenario.key}`)
    problems.push(`scenario: expected ${scenarioMount}/${scenario.key} (the ConfigMap ${scenario.configMap}), got ${scenarioPath}`);
  return problems;
}

/** The merge Job reads exactly the N reports the load Job writes (shard-0 … shard-<N−1>) from the same volume, and writes on it. */
export function mergeJobProblems(load: IJob, merge: IJob): string[] {
  const problems: string[] = [];
  const n = load.spec?.completions ?? 0;
  const loadPod = podSpec(load);
  const loadMount = mountOf(loadPod, container(loadPod, 'shard'), { claim: REPORTS_CLAIM });
  const pod = podSpec(merge);
  const c = container(pod, 'merge');
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  const mount = mountOf(pod, c, { claim: REPORTS_CLAIM });
  if (!mount) return [`merge: expected the volume of claim ${REPORTS_CLAIM} mounted`];
  if (args.slice(0, 3).join(' ') !== 'node bin/simulate.js merge')
    problems.push(`merge: expected node bin/simulate.js merge, got ${args.slice(0, 3).join(' ')}`);
  const outAt = args.findIndex((a) => a === '--out' || a === '-o');
  const inputs = args.slice(3, outAt < 0 ? undefined : outAt);
  const written = Array.from({ length: n }, (_, i) =>
    `${loadMount}/${SHARD_REPORT}`.replace('$(JOB_COMPLETION_INDEX)', String(i)).replace(`${loadMount}/`, `${mount}/`),
  );
  if (JSON.stringify(inputs) !== JSON.stringify(written)) problems.push(`merge: expected the ${n} shard reports ${written.join(' ')}, got ${inputs.join(' ')}`);
  const out = outAt < 0 ? undefined : args[outAt + 1];
  if (!out?.startsWith(`${mount}/`)) problems.push(`merge --out: expected a file on the reports volume (${mount}/), got ${out}`);
  return problems;
}

/**
 * Each server of the scenario is external, at a Service of its host name and port, whose pods run
 * `jukebox serve --server <id>` listening on all interfaces at the catalog's port for that server.
 */
export function serverProblems(manifests: Manifest[], scenario: ResolvedScenario, catalog: Catalog): string[] {
  const problems: string[] = [];
  for (const server of scenario.servers) {
    const where = `server ${server.id}`;
    if (!server.external) problems.push(`${where}: expected external: true (the shards share the server pods)`);
    const service = manifests.find((m) => m.kind === 'Service' && m.name === server.host)?.doc as IService | undefined;
    if (!service) {
      problems.push(`${where}: expected a Service named ${server.host} (the scenario's host)`);
      continue;
    }
    const port = service.spec?.ports?.find((p) => p.port === server.port);
    if (!port) problems.push(`${where}: Service ${server.host}: expected port ${server.port}, got ${service.spec?.ports?.map((p) => p.port).join(', ')}`);
    const selector = Object.entries(service.spec?.selector ?? {});
    const deployments = manifests
      .filter((m) => m.kind === 'Deployment')
      .map((m) => m.doc as unknown as IDeployment)
      .filter((d) => selector.length > 0 && selector.every(([k, v]) => d.spec?.template.metadata?.labels?.[k] === v));
    if (deployments.length !== 1) {
      problems.push(`${where}: Service ${server.host}: expected its selector to match one Deployment's pods, matched ${deployments.length}`);
      continue;
    }
    const c = deployments[0]?.spec?.template.spec?.containers[0];
    const args = [...(c?.command ?? []), ...(c?.args ?? [])];
    if (!args.includes('serve') || optionValue(args, '--server') !== server.id)
      problems.push(`${where}: expected the pod to run jukebox serve --server ${server.id}, got ${args.join(' ')}`);
    if (optionValue(args, '--host') !== '0.0.0.0')
      problems.push(`${where}: expected --host 0.0.0.0 (reachable from other pods), got ${optionValue(args, '--host')}`);
    const target = port?.targetPort ?? port?.port;
    const containerPort = c?.ports?.find((p) => p.name === target || p.containerPort === target)?.containerPort;
    const listens = catalog.servers.find((s) => s.id === server.id)?.port;
    if (containerPort === undefined || containerPort !== listens)
      problems.push(
        `${where}: Service ${server.host} targets container port ${containerPort}, expected ${listens} (the catalog's port for ${server.id}, where serve listens)`,
      );
  }
  return problems;
}

/** The image: Node 20 in every stage, `npm ci`, the build, a non-root user. */
export function dockerfileProblems(text: string): { problems: string[]; workdir: string | undefined } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  for (const l of lines) {
    const m = /^ARG\s+(\w+)=(\S+)/i.exec(l);
    if (m) args.set(m[1] as string, m[2] as string);
  }
  const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get((a ?? b) as string) ?? '');
  const problems: string[] = [];
  const stages: string[] = [];
  const froms = lines.filter((x) => /^FROM\s/i.test(x));
  if (froms.length === 0) problems.push('expected a FROM line');
  for (const l of froms) {
    const [, image = '', , alias] = l.split(/\s+/);
    const base = expand(image);
    if (!stages.includes(base) && !/^node:20([.-]|$)/.test(base)) problems.push(`FROM ${base}: expected a Node 20 image (node:20…)`);
    if (alias) stages.push(alias);
  }
  if (!lines.some((l) => /^RUN\s+npm ci(\s|$)/.test(l))) problems.push('expected RUN npm ci (the lockfile, exactly)');
  for (const l of lines.filter((x) => /^RUN\s.*\bnpm (install|i|add)\b/.test(x)))
    problems.push(`${l}: expected npm ci (the lockfile, exactly), not npm install`);
  if (!lines.some((l) => /^RUN\s+npm run build(\s|$)/.test(l))) problems.push('expected RUN npm run build (the built project)');
  const user = lines
    .filter((l) => /^USER\s/i.test(l))
    .pop()
    ?.split(/\s+/)[1];
  if (!user || /^(0|root)(:|$)/.test(user) || !/^\d+(:\d+)?$/.test(user))
    problems.push(`USER: expected a numeric non-root user (runAsNonRoot checks numbers), got ${user}`);
  const workdir = lines
    .filter((l) => /^WORKDIR\s/i.test(l))
    .pop()
    ?.split(/\s+/)[1];
  if (!workdir) problems.push('expected a WORKDIR');
  return { problems, workdir };
}
