// Reading back the files simulate writes: a run's report (`jukebox-report/1`, merged reports
// included) or a `--repeat` summary (`jukebox-repeat/1`). Each is validated with its schema; a bad
// file is refused with the file and the key named, never cast into shape.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { JukeboxError } from '../errors.js';
import { REPORT_SCHEMA, type Report } from './model.js';
import { REPEAT_SUMMARY_SCHEMA, repeatSummarySchema, type RepeatSummary } from './repeat.js';
import { asReport, reportSchema } from './report-schema.js';
import { valueAt } from '../util/value-at.js';

export type ReportDocument = { kind: 'report'; file: string; report: Report } | { kind: 'repeat'; file: string; summary: RepeatSummary };

/** A bad file's message names this many problems at most; the first is the one to fix first. */
const MAX_PROBLEMS_SHOWN = 5;
/** A value quoted in a message is cut to this many characters (a histogram is kilobytes long). */
const MAX_VALUE_CHARS = 60;

const KNOWN_SCHEMAS = `"${REPORT_SCHEMA}" (a run's report) or "${REPEAT_SUMMARY_SCHEMA}" (a --repeat summary)`;
const HINT = 'give a report written by simulate (reports/<name>-<time>.json) or a --repeat summary (…-repeat.json)';

/** Reads and validates any file simulate writes; throws E_BAD_ARGUMENT naming the file and key. */
export function readReportDocument(file: string): ReportDocument {
  const data = parseJsonFile(file);
  const schema = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { schema?: unknown }).schema : undefined;
  if (schema === REPORT_SCHEMA) return { kind: 'report', file, report: asReport(validate(file, data, reportSchema)) };
  if (schema === REPEAT_SUMMARY_SCHEMA) return { kind: 'repeat', file, summary: validate(file, data, repeatSummarySchema) };
  const what =
    typeof data !== 'object' || data === null || Array.isArray(data)
      ? `expected a JSON object with "schema": ${KNOWN_SCHEMAS}, got ${show(data)}`
      : `expected ${KNOWN_SCHEMAS}, got ${show(schema)}`;
  throw new JukeboxError('E_BAD_ARGUMENT', `${file}: schema: ${what}`, { hint: HINT });
}

/** Reads a run's report; a repeat summary is refused with the run reports it names. */
export function readReport(file: string): Report {
  const doc = readReportDocument(file);
  if (doc.kind === 'report') return doc.report;
  const runs = (doc.summary.reports ?? []).map((r) => r.file).filter((f): f is string => f !== undefined);
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    `${file}: schema: expected "${REPORT_SCHEMA}" (one run's report), got "${REPEAT_SUMMARY_SCHEMA}" (a summary of ${doc.summary.runs} runs)`,
    {
      hint: runs.length > 0 ? `give the run reports it summarises (${runs.join(', ')}), beside it` : 'give the run reports the summary was made from',
    },
  );
}

function parseJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (cause as Error).message;
    throw new JukeboxError('E_BAD_ARGUMENT', `cannot read report ${file}: ${why}`, { hint: HINT, cause });
  }
  if (text.trim() === '')
    throw new JukeboxError('E_BAD_ARGUMENT', `${file}: expected a JSON report, got an empty file`, {
      hint: 'the run that wrote it was cut short before it finished; delete the file and run the scenario again',
    });
  try {
    // A byte-order mark is not JSON but some editors add one; it says nothing about the content.
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (cause) {
    throw new JukeboxError('E_BAD_ARGUMENT', `cannot read report ${file}: expected JSON, got ${(cause as Error).message}`, { hint: HINT, cause });
  }
}

function validate<S extends z.ZodType>(file: string, data: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${file}: ${issue.path.length ? issue.path.map(String).join('.') : '(top level)'}: ${describeIssue(issue, data)}`,
  );
  const more = problems.length > MAX_PROBLEMS_SHOWN ? [`… and ${problems.length - MAX_PROBLEMS_SHOWN} more`] : [];
  throw new JukeboxError('E_BAD_ARGUMENT', [...problems.slice(0, MAX_PROBLEMS_SHOWN), ...more].join('\n'), {
    hint: `${HINT}; a file edited by hand or written by another tool may miss keys`,
  });
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const got = show(valueAt(data, issue.path));
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${got}`;
    case 'invalid_union': {
      // e.g. a seed: each branch says which type it wanted.
      const wanted = [
        ...new Set(issue.errors.flatMap((branch) => branch.flatMap((e) => (e.code === 'invalid_type' && e.path.length === 0 ? [e.expected] : [])))),
      ];
      return wanted.length > 0 ? `expected ${wanted.join(' or ')}, got ${got}` : `${issue.message}, got ${got}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${got}`;
    case 'too_small':
      return `expected ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}, got ${got}`;
    case 'custom':
      return issue.message;
    default:
      return `${issue.message}, got ${got}`;
  }
}

/** A value as a message quotes it: JSON (control characters escaped), cut short. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}
