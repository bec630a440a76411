// Reading a scenario file: the scenario module's only file access. Every problem in the file is
// reported at once, as `file: key.path: what was expected, got what`; a command-line override is
// checked against the same bounds and blamed on its option, as `--workers: expected …, got …`.
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Composer, LineCounter, Parser, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import type { z } from 'zod';
import { loadCatalog } from '../catalog/load.js';
import type { LoadedCatalog } from '../catalog/types.js';
import { JukeboxError, isJukeboxError } from '../errors.js';
import { defaultCatalogPath } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { BOUNDS, MAX_PROBLEMS_SHOWN, MAX_SCENARIO_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, formatNumber, type Bound } from './bounds.js';
import { didYouMean, resolveScenario, scenarioCatalogPath, type Problem } from './resolve.js';
import { KNOWN_KEYS, checkDuration, checkNumber, scenarioSchema, type ScenarioInput } from './schema.js';
import { shownKey, shownText, shownValue } from './shown.js';
import type { ResolvedScenario } from './types.js';
import { valueAt } from '../util/value-at.js';

/**
 * Values from the command line that replace the file's. Numbers may come as text (or as NaN, which
 * is what yargs makes of `--workers abc`): each is checked here, against the file's bounds.
 */
export interface ScenarioOverrides {
  seed?: string | number;
  clients?: number | string;
  concurrency?: number | string;
  arrivalRate?: number | string;
  duration?: string | number;
  workers?: number | string;
}

export interface LoadedScenario {
  scenario: ResolvedScenario;
  catalog: LoadedCatalog;
}

/**
 * The error for a bad scenario or a bad override: `problems` holds one line per problem, each
 * naming the file and key, or the option. The message lists the first MAX_PROBLEMS_SHOWN.
 */
export class ScenarioError extends JukeboxError {
  constructor(readonly problems: string[]) {
    const options = problems.length > 0 && problems.every((p) => p.startsWith('--'));
    const listed = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => `  ${p}`);
    if (problems.length > MAX_PROBLEMS_SHOWN) listed.push(`  … and ${problems.length - MAX_PROBLEMS_SHOWN} more problems`);
    super('E_SCENARIO_INVALID', `${options ? 'the command-line options are not valid' : 'the scenario is not valid'}:\n${listed.join('\n')}`, {
      hint: options
        ? 'fix the options above; docs/scenarios.md gives the bound of each'
        : 'fix the keys above; docs/scenarios.md lists every key, its values and its bounds',
    });
  }
}

export function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): LoadedScenario {
  const path = resolve(file);
  const shown = escapeForTerminal(relative(process.cwd(), path) || path);
  const checked = checkOverrides(overrides);
  const read = readScenarioText(path, shown);
  const parsed = 'text' in read ? parseYaml(read.text, shown) : read;
  if ('problems' in parsed) throw new ScenarioError([...checked.problems, ...parsed.problems]);
  return resolveData(parsed.data, path, checked, shown);
}

/** Validates and resolves scenario data (from a file or built in code). */
export function parseScenario(data: unknown, file: string | undefined, overrides: ScenarioOverrides = {}, shown = file ?? '(scenario)'): LoadedScenario {
  return resolveData(data, file, checkOverrides(overrides), escapeForTerminal(shown));
}

/** The file's text, or why it cannot be a scenario: not a regular file (a FIFO would block the read), or too large. */
function readScenarioText(path: string, shown: string): { text: string } | { problems: string[] } {
  const tooLarge = (bytes: number) => ({
    problems: [
      `${shown}: the file holds ${formatNumber(bytes)} bytes, expected at most ${formatNumber(MAX_SCENARIO_BYTES)} (MAX_SCENARIO_BYTES; a scenario is a page of YAML)`,
    ],
  });
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: stat.isDirectory() ? 'EISDIR' : 'not a regular file' });
    if (stat.size > MAX_SCENARIO_BYTES) return tooLarge(stat.size);
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new JukeboxError('E_SCENARIO_NOT_FOUND', `cannot read scenario ${shown}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      hint: 'give the path of a scenario file, such as scenarios/100-clients.yaml',
      cause,
    });
  }
  // The file may have grown since it was measured.
  const bytes = Buffer.byteLength(text);
  return bytes > MAX_SCENARIO_BYTES ? tooLarge(bytes) : { text };
}

/**
 * YAML to data, refusing what could hurt before it can: nesting past MAX_YAML_DEPTH is found on
 * the parser's tokens (the parser keeps its own stack; the composer recurses), and aliases are
 * expanded at most MAX_YAML_ALIASES times. Every syntax problem is reported with its line and column.
 */
function parseYaml(text: string, shown: string): { data: unknown } | { problems: string[] } {
  const lines = new LineCounter();
  const where = (offset: number) => describePosition(text, lines, offset);
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const deep = firstTooDeep(tokens, MAX_YAML_DEPTH);
  if (deep !== undefined)
    return {
      problems: [`${shown}: ${where(deep)}: expected collections nested at most ${MAX_YAML_DEPTH} deep (MAX_YAML_DEPTH; a scenario nests 4 deep), got deeper`],
    };
  // logLevel 'error': the library core writes nothing to stderr; warnings come back as problems below.
  // uniqueKeys off: the yaml package compares every pair of keys (seconds for a large map); keyProblems does it with a set.
  const docs = Array.from(new Composer({ uniqueKeys: false, logLevel: 'error' }).compose(tokens, true, text.length));
  const [doc, ...more] = docs;
  if (!doc) return { data: null };
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${shown}: ${where(e.pos[0])}: ${clipMessage(e.message)}`);
  for (const { offset, message } of keyProblems(doc, lines)) problems.push(`${shown}: ${where(offset)}: ${message}`);
  if (more[0]) problems.push(`${shown}: ${where(more[0].range[0])}: expected one YAML document, got a second one here`);
  if (problems.length > 0) return { problems };
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (err) {
    // The yaml package throws a ReferenceError for an alias bomb and for an alias with no anchor.
    const message = err instanceof Error ? err.message : String(err);
    if (/alias count/i.test(message))
      return {
        problems: [
          `${shown}: expected at most ${MAX_YAML_ALIASES} alias expansions (MAX_YAML_ALIASES), got more: refused as a possible alias bomb ("billion laughs")`,
        ],
      };
    return { problems: [`${shown}: cannot read the YAML: ${clipMessage(message)}`] };
  }
}

/**
 * Keys a scenario cannot mean: one written twice in a map (YAML forbids it; as data the second
 * would silently win), and a collection or an alias used as a key.
 */
function keyProblems(doc: Document.Parsed, lines: LineCounter): { offset: number; message: string }[] {
  const problems: { offset: number; message: string }[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) stack.push(...node.items);
    if (!isMap(node)) continue;
    const seen = new Map<string, number>();
    for (const { key, value } of node.items) {
      stack.push(value);
      const offset = isNode(key) ? (key.range?.[0] ?? 0) : 0;
      if (!isScalar(key)) {
        if (isNode(key)) problems.push({ offset, message: 'expected a plain key, got a collection or an alias as a key' });
        continue;
      }
      const name = String(key.value);
      const first = seen.get(name);
      if (first === undefined) seen.set(name, offset);
      else problems.push({ offset, message: `expected each key once in a map, got ${shownText(name)} again (first on line ${lines.linePos(first).line})` });
    }
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/** Messages of the yaml package are one line when prettyErrors is off; clipped in case one is not. */
function clipMessage(message: string): string {
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  return escapeForTerminal(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}

/** "line 3, column 1 (near "load: [")", or "…, at the end of the file". */
function describePosition(text: string, lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(Math.min(Math.max(0, offset), text.length));
  const start = lines.lineStarts[line - 1] ?? 0;
  const end = text.indexOf('\n', start);
  const source = text.slice(start, end === -1 ? text.length : end).trimEnd();
  const near = offset >= text.length || source.trim() === '' ? 'at the end of the file' : `near ${shownText(source)}`;
  return `line ${line}, column ${col} (${near})`;
}

interface CstLike {
  type?: string;
  offset?: number;
  value?: unknown;
  items?: { key?: unknown; value?: unknown }[];
}

/** The offset of the first token nested deeper than `limit` collections, walked with a stack of our own. */
function firstTooDeep(tokens: readonly unknown[], limit: number): number | undefined {
  const stack: { token: unknown; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: unknown; depth: number };
    if (typeof token !== 'object' || token === null) continue;
    const t = token as CstLike;
    if (depth > limit) return t.offset ?? 0;
    if (t.type === 'document') stack.push({ token: t.value, depth });
    for (const item of Array.isArray(t.items) ? t.items : []) {
      stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The command-line overrides that keep to their bounds, the paths they replace, and a problem for each one that does not. */
interface CheckedOverrides {
  values: ScenarioOverrides;
  /** Scenario key path → the option that replaced it, as typed ("--clients 20"). */
  options: Map<string, string>;
  problems: string[];
}

const OVERRIDES: readonly { key: keyof ScenarioOverrides; option: string; path: string; bound?: Bound }[] = [
  { key: 'seed', option: '--seed', path: 'seed' },
  { key: 'clients', option: '--clients', path: 'load.clients', bound: BOUNDS.clients },
  { key: 'concurrency', option: '--concurrency', path: 'load.concurrency', bound: BOUNDS.concurrency },
  { key: 'arrivalRate', option: '--arrival-rate', path: 'load.arrivalRate', bound: BOUNDS.arrivalRate },
  { key: 'duration', option: '--duration', path: 'load.duration', bound: BOUNDS.duration },
  { key: 'workers', option: '--workers', path: 'load.workers', bound: BOUNDS.workers },
];

function checkOverrides(overrides: ScenarioOverrides): CheckedOverrides {
  const checked: CheckedOverrides = { values: {}, options: new Map(), problems: [] };
  for (const { key, option, path, bound } of OVERRIDES) {
    const value: unknown = overrides[key];
    if (value === undefined) continue;
    const result =
      key === 'seed'
        ? checkSeed(value)
        : key === 'duration'
          ? checkDuration(value, BOUNDS.duration)
          : checkNumber(numberFromText(value), bound ?? BOUNDS.clients);
    if ('message' in result) {
      checked.problems.push(`${option}: ${result.message}, got ${result.got ?? shownValue(value)}`);
      continue;
    }
    (checked.values as Record<string, unknown>)[key] = key === 'duration' || key === 'seed' ? value : result.value;
    checked.options.set(path, `${option} ${typeof value === 'string' ? shownText(value) : shownValue(value)}`);
  }
  return checked;
}

/** "12" is 12 (an option may come as text); other text stays text and is refused as not a number. */
function numberFromText(value: unknown): unknown {
  return typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value) ? Number(value) : value;
}

function checkSeed(value: unknown): { value: unknown } | { message: string; got?: string } {
  const parsed = scenarioSchema.shape.seed.safeParse(value);
  return parsed.success ? { value } : { message: parsed.error.issues[0]?.message ?? 'expected a number or a string' };
}

function resolveData(data: unknown, file: string | undefined, checked: CheckedOverrides, shown: string): LoadedScenario {
  const withOverrides = applyOverrides(data, checked.values);
  const parsed = scenarioSchema.safeParse(withOverrides, { reportInput: true });
  const schemaProblems = parsed.success ? [] : describeSchemaIssues(parsed.error, withOverrides);
  // So that one pass reports everything: check the rest of the file with the bad keys left out.
  const input = parsed.success ? parsed.data : scenarioSchema.safeParse(withoutIssues(withOverrides, parsed.error)).data;
  const format = (problems: Problem[]) => [...checked.problems, ...problems.map((p) => formatProblem(p, shown, checked.options))];
  if (!input) throw new ScenarioError(format(schemaProblems));
  const catalogPath = scenarioCatalogPath(input, file, defaultCatalogPath);
  let catalog: LoadedCatalog;
  try {
    catalog = loadCatalogFile(catalogPath);
  } catch (err) {
    if (isJukeboxError(err))
      throw new ScenarioError([...format(schemaProblems), `${shown}: catalog: ${err.message.split('\n').map(escapeForTerminal).join('\n')}`]);
    throw err;
  }
  const { scenario, problems } = resolveScenario(input, file, catalog.catalog, catalog.path);
  // A key the schema refused was left out for the second pass: "needs arrivalRate, got nothing" would be a second, wrong, word on it.
  const refused = new Set(schemaProblems.map((p) => p.path));
  const further = problems.filter((p) => !refused.has(p.path));
  if (!scenario || schemaProblems.length > 0 || checked.problems.length > 0) throw new ScenarioError(format([...schemaProblems, ...further]));
  return { scenario, catalog };
}

/** The catalog a scenario names; a path that is not a regular file (a FIFO, a device) is refused rather than read. */
function loadCatalogFile(path: string): LoadedCatalog {
  let regular = true;
  try {
    regular = statSync(path).isFile();
  } catch {
    // Missing or unreadable: loadCatalog says so in its own words.
  }
  if (!regular) throw new JukeboxError('E_CATALOG_NOT_FOUND', `cannot read catalog ${path}: not a regular file`);
  return loadCatalog(path);
}

/** `file: key.path: message`, or `--option: message` when the value came from the command line. */
function formatProblem(problem: Problem, shown: string, options: ReadonlyMap<string, string>): string {
  const option = options.get(problem.path);
  if (option !== undefined) return escapeForTerminal(`${option.split(' ')[0] ?? option}: ${problem.message}`);
  const from = (problem.keys ?? []).map((k) => options.get(k)).filter((o) => o !== undefined);
  return escapeForTerminal(`${shown}: ${problem.path}: ${problem.message}${from.length > 0 ? ` (with ${from.join(', ')} from the command line)` : ''}`);
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
  const current = copy.load;
  const load = typeof current === 'object' && current !== null && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
  // Switching model from the command line drops the other model's keys.
  if (overrides.clients !== undefined || overrides.concurrency !== undefined) ['arrivalRate', 'duration', 'rampUp'].forEach((k) => delete load[k]);
  if (overrides.arrivalRate !== undefined || overrides.duration !== undefined) ['clients', 'concurrency'].forEach((k) => delete load[k]);
  copy.load = { ...load, ...loadOverrides };
  return copy;
}

function describeSchemaIssues(error: z.ZodError, data: unknown): Problem[] {
  // A suggestion costs an edit distance per known key: only the keys that will be shown get one.
  let suggestions = MAX_PROBLEMS_SHOWN;
  const suggest = (key: string, known: readonly string[]) => (suggestions-- > 0 ? didYouMean(key, known) : '');
  return error.issues.flatMap((issue): Problem[] => {
    const path = issue.path.map(shownKey).join('.');
    if (issue.code === 'unrecognized_keys') {
      const level = issue.path.filter((p) => typeof p === 'string').join('.');
      const known = KNOWN_KEYS[level] ?? [];
      return issue.keys.map((key) => ({
        path: path ? `${path}.${shownKey(key)}` : shownKey(key),
        message: `unknown key${suggest(key, known)}${known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
      }));
    }
    // A custom check may say what it found better than the bare value (a duration in ms as well).
    const params = issue.code === 'custom' ? (issue.params as { got?: unknown } | undefined) : undefined;
    const got = typeof params?.got === 'string' ? params.got : shownValue(valueAt(data, issue.path));
    return [{ path: path || '(top level)', message: `${issue.message}, got ${got}` }];
  });
}

export type { ScenarioInput };
