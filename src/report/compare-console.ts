// Comparisons and repeat summaries as console tables: pure (value) => string, drawn with cli-table3.
import Table from 'cli-table3';
import type { Comparison, MetricComparison, MetricDelta, Verdict } from './compare.js';
import { formatChange, formatRelative, formatValue } from './format.js';
import type { MetricUnit } from './key-metrics.js';
import type { RepeatSummary } from './repeat.js';
import type { Spread } from './stats.js';
import { escapeForTerminal as safe } from '../util/terminal-text.js';

const compact = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [] as string[], border: [] as string[] } };

const VERDICT_TEXT: Record<Verdict, string> = { worse: 'WORSE', better: 'better', same: '', noise: 'within noise', 'n/a': '' };

function spreadText(unit: MetricUnit, s: Spread | null): string {
  if (!s) return 'n/a';
  if (s.n === 1) return formatValue(unit, s.median);
  return `${formatValue(unit, s.median)} (${formatValue(unit, s.min)}–${formatValue(unit, s.max)})`;
}

function deltaText(m: MetricComparison, d: MetricDelta): string {
  if (d.verdict === 'n/a') return 'n/a';
  return [formatChange(m.unit, d.absolute), formatRelative(d.relative, d.absolute), VERDICT_TEXT[d.verdict]].filter((s) => s !== '').join(' ');
}

export function renderComparison(c: Comparison): string {
  const out: string[] = [];
  out.push(...legend(c));
  out.push(c.mode === 'runs' ? runsTable(c) : groupsTable(c));
  out.push(`method: ${c.method}`);
  for (const note of c.notes) out.push(`note: ${safe(note)}`);
  out.push(
    c.regressions.length === 0
      ? `no regression beyond ${c.regressionPct}%`
      : `regressions (${c.regressions.length}): ${c.regressions.map((r) => `${r.label} ${formatRelative(r.relative, r.absolute)}${c.groups.length > 2 ? ` in ${safe(r.group)}` : ''}`).join(', ')}`,
  );
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
  c.groups.forEach((g, i) => head.push(i === 0 ? `${safe(g.label)} (baseline)` : safe(g.label), ...(i === 0 ? [] : ['vs baseline'])));
  const t = new Table({ head, ...compact });
  for (const m of c.metrics) {
    const row: string[] = [m.label];
    m.groups.forEach((g, i) => {
      row.push(formatValue(m.unit, g.spread?.median ?? null));
      const d = m.deltas[i - 1];
      if (i > 0 && d) row.push(deltaText(m, d));
    });
    t.push(row);
  }
  return t.toString();
}

function groupsTable(c: Comparison): string {
  const head = ['metric', `${safe(c.groups[0]?.label ?? 'baseline')}: median (min–max)`];
  for (const g of c.groups.slice(1)) head.push(`${safe(g.label)}: median (min–max)`, 'Δ median', '95% CI of Δ');
  const t = new Table({ head, ...compact });
  for (const m of c.metrics) {
    const row: string[] = [m.label, spreadText(m.unit, m.groups[0]?.spread ?? null)];
    m.deltas.forEach((d, i) => {
      row.push(
        spreadText(m.unit, m.groups[i + 1]?.spread ?? null),
        deltaText(m, d),
        d.interval ? `${formatChange(m.unit, d.interval.low)} … ${formatChange(m.unit, d.interval.high)}` : 'n/a',
      );
    });
    t.push(row);
  }
  return t.toString();
}

export function renderRepeatSummary(s: RepeatSummary): string {
  const t = new Table({
    head: ['metric', 'median', 'min', 'max', 'IQR', '95% CI of median', ...(s.metrics[0]?.values.map((_, i) => `run ${i + 1}`) ?? [])],
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
      m.interval ? `${formatValue(m.unit, m.interval.low)} … ${formatValue(m.unit, m.interval.high)}` : 'n/a',
      ...m.values.map((v) => formatValue(m.unit, v)),
    ]);
  }
  return [
    `"${safe(String(s.name))}" repeated ${s.runs} times (seeds ${safe(s.seeds.join(', '))}); ${s.passed} of ${s.runs} passed their thresholds`,
    t.toString(),
    `method: ${s.method}`,
  ].join('\n');
}
