// Comparisons and repeat summaries as console tables: pure (value) => string, drawn with cli-table3.
import Table from 'cli-table3';
import type { Comparison, MetricDelta } from './compare.js';
import { formatChange, formatRelative, formatValue } from './format.js';
import type { MetricUnit } from './key-metrics.js';
import type { RepeatSummary } from './repeat.js';
import { CONFIDENCE, type Spread } from './stats.js';
import { escapeForTerminal as safe } from '../util/terminal-text.js';

const compact = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [] as string[], border: [] as string[] } };

/** A verdict as benchstat writes it: `~` for no significant difference, with the test's p and sizes beside. */
export function verdictText(d: MetricDelta): string {
  const sizes = `n=${d.n[0]}+${d.n[1]}`;
  const p = d.p === null ? '' : `p=${d.p.toFixed(3)} `;
  switch (d.verdict) {
    case 'worse':
      return `WORSE (${p}${sizes})`;
    case 'better':
      return `better (${p}${sizes})`;
    case 'same':
      return `~ (${p}${sizes})`;
    case 'cant-tell':
      return `can't tell: need ${d.needRuns ?? '?'} runs per side (${sizes})`;
    case 'n/a':
      return 'n/a';
  }
}

/** The Hodges–Lehmann interval, in the unit and in % of the baseline, with its confidence when it falls short of 95 %. */
export function intervalText(unit: MetricUnit, d: MetricDelta): string {
  const ci = d.interval;
  if (!ci) return 'n/a';
  const rel = d.intervalRelative ? ` (${formatRelative(d.intervalRelative.low, ci.low)} … ${formatRelative(d.intervalRelative.high, ci.high)})` : '';
  const confidence = ci.confidence < CONFIDENCE ? ` at ${Math.floor(ci.confidence * 1000) / 10}%` : '';
  return `${formatChange(unit, ci.low)} … ${formatChange(unit, ci.high)}${rel}${confidence}`;
}

function spreadText(unit: MetricUnit, s: Spread | null): string {
  if (!s) return 'n/a';
  if (s.n === 1) return formatValue(unit, s.median);
  return `${formatValue(unit, s.median)} (${formatValue(unit, s.min)}–${formatValue(unit, s.max)})`;
}

/** The change of the medians, in the unit and in %. */
function changeText(unit: MetricUnit, d: MetricDelta): string {
  if (d.verdict === 'n/a') return 'n/a';
  return [formatChange(unit, d.absolute), formatRelative(d.relative, d.absolute)].filter((s) => s !== '').join(' ');
}

export function renderComparison(c: Comparison): string {
  const out: string[] = [];
  out.push(...legend(c));
  out.push(c.mode === 'runs' ? runsTable(c) : groupsTable(c));
  out.push(`method: ${c.method}`);
  for (const note of c.notes) out.push(`note: ${safe(note)}`);
  out.push(
    c.regressions.length === 0
      ? `no significant regression beyond ${c.regressionPct}%`
      : `regressions (${c.regressions.length}): ${c.regressions.map((r) => `${r.label} ${formatRelative(r.relative, r.absolute)}${c.groups.length > 2 ? ` in ${safe(r.group)}` : ''}`).join(', ')}`,
  );
  const unsure = c.metrics.filter((m) => m.deltas.some((d) => d.verdict === 'cant-tell')).length;
  if (unsure > 0)
    out.push(`can't tell on ${unsure} metric${unsure === 1 ? '' : 's'}: too few runs to judge noise; --fail-on-regression does not fail on "can't tell"`);
  return out.join('\n');
}

function legend(c: Comparison): string[] {
  if (c.mode === 'runs') {
    return c.groups.map((g, i) => {
      const run = g.runs[0];
      // Labels, names, seeds and dates come from report files: shown escaped.
      return safe(`${g.label}${i === 0 ? ' (baseline)' : ''}: ${run?.file ?? run?.name ?? ''}  seed ${run?.seed ?? '?'}  ${run?.startedAt ?? ''}`);
    });
  }
  return c.groups.map((g, i) =>
    safe(
      `${g.label}${i === 0 && g.label !== 'baseline' ? ' (baseline)' : ''}: ${g.runs.length} run${g.runs.length === 1 ? '' : 's'}: ${g.runs.map((r) => r.file ?? r.label).join(', ')}`,
    ),
  );
}

function runsTable(c: Comparison): string {
  const head = ['metric'];
  // One run per side: the change only, no better/worse (the notes say why).
  c.groups.forEach((g, i) =>
    head.push(i === 0 ? `${safe(g.label)} (baseline)` : safe(g.label), ...(i === 0 ? [] : ['change (one run each: noise not judged)'])),
  );
  const t = new Table({ head, ...compact });
  for (const m of c.metrics) {
    const row: string[] = [m.label];
    m.groups.forEach((g, i) => {
      row.push(formatValue(m.unit, g.spread?.median ?? null));
      const d = m.deltas[i - 1];
      if (i > 0 && d) row.push(changeText(m.unit, d));
    });
    t.push(row);
  }
  return t.toString();
}

function groupsTable(c: Comparison): string {
  const head = ['metric', `${safe(c.groups[0]?.label ?? 'baseline')}: median (min–max)`];
  for (const g of c.groups.slice(1)) head.push(`${safe(g.label)}: median (min–max)`, 'Δ median', 'Hodges–Lehmann interval of Δ', 'verdict');
  const t = new Table({ head, ...compact });
  for (const m of c.metrics) {
    const row: string[] = [m.label, spreadText(m.unit, m.groups[0]?.spread ?? null)];
    m.deltas.forEach((d, i) => {
      row.push(spreadText(m.unit, m.groups[i + 1]?.spread ?? null), changeText(m.unit, d), intervalText(m.unit, d), verdictText(d));
    });
    t.push(row);
  }
  return t.toString();
}

/** A repeat summary's interval of a median, with its confidence when it falls short of 95 % (older summaries did not keep it). */
export function medianIntervalText(unit: MetricUnit, ci: { low: number; high: number; confidence?: number | undefined } | null): string {
  if (!ci) return 'n/a';
  const confidence = ci.confidence !== undefined && ci.confidence < CONFIDENCE ? ` at ${Math.floor(ci.confidence * 1000) / 10}%` : '';
  return `${formatValue(unit, ci.low)} … ${formatValue(unit, ci.high)}${confidence}`;
}

export function renderRepeatSummary(s: RepeatSummary): string {
  const t = new Table({
    head: ['metric', 'median', 'min', 'max', 'IQR', 'interval of median', ...(s.metrics[0]?.values.map((_, i) => `run ${i + 1}`) ?? [])],
    ...compact,
  });
  for (const m of s.metrics) {
    const sp = m.spread;
    t.push([
      m.label,
      formatValue(m.unit, sp?.median ?? null),
      formatValue(m.unit, sp?.min ?? null),
      formatValue(m.unit, sp?.max ?? null),
      sp ? `${formatValue(m.unit, sp.q1)}–${formatValue(m.unit, sp.q3)}` : 'n/a',
      medianIntervalText(m.unit, m.interval),
      ...m.values.map((v) => formatValue(m.unit, v)),
    ]);
  }
  return [
    `"${safe(String(s.name))}" repeated ${s.runs} times (seeds ${safe(s.seeds.join(', '))}); ${s.passed} of ${s.runs} passed their thresholds`,
    t.toString(),
    `method: ${s.method}`,
  ].join('\n');
}
