// Reading a scenario file: the scenario module's only file access. Every problem in the file is
// reported at once, as `file: key.path: what was expected, got what`.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { loadCatalog } from '../catalog/load.js';
import type { LoadedCatalog } from '../catalog/types.js';
import { JukeboxError, isJukeboxError } from '../errors.js';
import { defaultCatalogPath } from '../util/paths.js';
import { didYouMean, resolveScenario, scenarioCatalogPath, type Problem } from './resolve.js';
import { KNOWN_KEYS, scenarioSchema, type ScenarioInput } from './schema.js';
import type { ResolvedScenario } from './types.js';

/** Values from the command line that replace the file's. */
export interface ScenarioOverrides {
  seed?: string | number;
  clients?: number;
  concurrency?: number;
  arrivalRate?: number;
  duration?: string;
  workers?: number;
}

export interface LoadedScenario {
  scenario: ResolvedScenario;
  catalog: LoadedCatalog;
}

/** The error for a bad scenario: `problems` holds one line per problem. */
export class ScenarioError extends JukeboxError {
  constructor(readonly problems: string[]) {
    super('E_SCENARIO_INVALID', `the scenario is not valid:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      hint: 'fix the keys above; docs/scenarios.md lists every key and its values',
    });
  }
}

export function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  const path = resolve(file);
  const shown = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new JukeboxError('E_SCENARIO_NOT_FOUND', `cannot read scenario ${shown}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      hint: 'give the path of a scenario file, such as scenarios/100-clients.yaml',
      cause,
    });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(doc.errors.map((e) => `${shown}: line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  return parseScenario(doc.toJS() as unknown, path, overrides, shown);
}

/** Validates and resolves scenario data (from a file or built in code). */
export function parseScenario(data: unknown, file: string | undefined, overrides: ScenarioOverrides = {}, shown = file ?? '(scenario)'): LoadedScenario {
  const withOverrides = applyOverrides(data, overrides);
  const parsed = scenarioSchema.safeParse(withOverrides, { reportInput: true });
  const schemaProblems = parsed.success ? [] : describeSchemaIssues(parsed.error, withOverrides);
  // So that one pass reports everything: check the rest of the file with the bad keys left out.
  const input = parsed.success ? parsed.data : scenarioSchema.safeParse(withoutIssues(withOverrides, parsed.error)).data;
  const format = (problems: Problem[]) => problems.map((p) => `${shown}: ${p.path}: ${p.message}`);
  if (!input) throw new ScenarioError(format(schemaProblems));
  const catalogPath = scenarioCatalogPath(input, file, defaultCatalogPath);
  let catalog: LoadedCatalog;
  try {
    catalog = loadCatalog(catalogPath);
  } catch (err) {
    if (isJukeboxError(err)) throw new ScenarioError([...format(schemaProblems), `${shown}: catalog: ${err.message}`]);
    throw err;
  }
  const { scenario, problems } = resolveScenario(input, file, catalog.catalog, catalog.path);
  if (!scenario || schemaProblems.length > 0) throw new ScenarioError(format([...schemaProblems, ...problems]));
  return { scenario, catalog };
}

/** A deep copy of `data` without the keys the schema refused. */
function withoutIssues(data: unknown, error: z.ZodError): unknown {
  const copy = structuredClone(data);
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const path of keys) {
      const parent = valueAt(copy, path.slice(0, -1));
      const last = path.at(-1);
      if (typeof parent === 'object' && parent !== null && last !== undefined) delete (parent as Record<PropertyKey, unknown>)[last];
    }
  }
  return copy;
}

function applyOverrides(data: unknown, overrides: ScenarioOverrides): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const copy = { ...(data as Record<string, unknown>) };
  if (overrides.seed !== undefined) copy.seed = overrides.seed;
  const loadKeys = ['clients', 'concurrency', 'arrivalRate', 'duration', 'workers'] as const;
  const loadOverrides = Object.fromEntries(loadKeys.filter((k) => overrides[k] !== undefined).map((k) => [k, overrides[k]]));
  if (Object.keys(loadOverrides).length === 0) return copy;
  const load = { ...((copy.load as Record<string, unknown> | undefined) ?? {}) };
  // Switching model from the command line drops the other model's keys.
  if (overrides.clients !== undefined || overrides.concurrency !== undefined) ['arrivalRate', 'duration', 'rampUp'].forEach((k) => delete load[k]);
  if (overrides.arrivalRate !== undefined || overrides.duration !== undefined) ['clients', 'concurrency'].forEach((k) => delete load[k]);
  copy.load = { ...load, ...loadOverrides };
  return copy;
}

function describeSchemaIssues(error: z.ZodError, data: unknown): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const level = issue.path.filter((p) => typeof p === 'string').join('.');
      const known = KNOWN_KEYS[level] ?? [];
      return issue.keys.map((key) => ({
        path: path ? `${path}.${key}` : key,
        message: `unknown key${didYouMean(key, known)}${known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
      }));
    }
    const value = valueAt(data, issue.path);
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    return [{ path: path || '(top level)', message: `${issue.message}, got ${got}` }];
  });
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = data;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export type { ScenarioInput };
