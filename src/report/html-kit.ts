// The pieces every HTML page of ours is built from: escaping, embedded data, tables, the page
// shell with its styles. Pure string functions.
import type { ChartAssets } from './html-assets.js';
import { PAGE_SCRIPT } from './html-client.js';

/** The id of the <script type="application/json"> holding the page's data. */
export const DATA_ELEMENT_ID = 'jukebox-data';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string | number | boolean): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON that is safe inside a <script> element: `<`, `>` and `&` become \u escapes (still the same
 * JSON), so no string in a report, such as a name holding `</script>`, can end the element.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Library code inlined into <script>/<style>: the closing-tag sequences cannot appear. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

export type Cell = string | number | { text: string | number; className: string };

function cellHtml(cell: Cell, tag: 'td' | 'th'): string {
  if (typeof cell === 'object') return `<${tag} class="${escapeHtml(cell.className)}">${escapeHtml(cell.text)}</${tag}>`;
  return `<${tag}>${escapeHtml(cell)}</${tag}>`;
}

/** A table of text (every cell escaped); numbers right-aligned by the style sheet. */
export function htmlTable(head: Cell[], rows: Cell[][], className = ''): string {
  const thead = head.length === 0 ? '' : `<thead><tr>${head.map((h) => cellHtml(h, 'th')).join('')}</tr></thead>`;
  const tbody = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cellHtml(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
  return `<table${className ? ` class="${escapeHtml(className)}"` : ''}>${thead}${tbody}</table>`;
}

/** A key/value table. */
export function keyValueTable(rows: [string, string | number][]): string {
  return htmlTable(
    [],
    rows.map(([k, v]) => [{ text: k, className: 'key' }, String(v)]),
    'kv',
  );
}

/**
 * Nested data as dotted keys: `load.clients`, `client.thinkTime.meanMs`. An array of flat objects
 * gives one line per element (`servers[0]`: `id s1, port 0, …`), the way people scan it.
 */
export function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value === undefined || value === null) return [[prefix, '—']];
  if (typeof value !== 'object') return [[prefix, String(value)]];
  if (Array.isArray(value)) {
    if (value.length === 0) return [[prefix, '(none)']];
    if (value.every((v) => typeof v !== 'object' || v === null)) return [[prefix, value.map(String).join(', ')]];
    return value.flatMap((v, i) => (isFlatObject(v) ? [[`${prefix}[${i}]`, describeFlat(v)] as [string, string]] : flatten(v, `${prefix}[${i}]`)));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [[prefix, '(none)']];
  return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

function isFlatObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x !== 'object' || x === null);
}

function describeFlat(v: Record<string, unknown>): string {
  return Object.entries(v)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k} ${String(x)}`)
    .join(', ');
}

export interface PageParts {
  title: string;
  /** The page's HTML body, already escaped where it holds text. */
  body: string;
  /** Embedded as JSON for the page script (charts). */
  data: unknown;
}

/**
 * One self-contained page: the chart library, its styles, the data and the page script are all
 * inline, and the Content-Security-Policy forbids every fetch, so the page works offline and
 * cannot call out even if something in it tried.
 */
export function renderPage(parts: PageParts, assets: ChartAssets): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jukebox">
<link rel="icon" href="data:,">
<title>${escapeHtml(parts.title)}</title>
<style>${inlineStyle(assets.css)}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
${parts.body}
<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(parts.data)}</script>
<script>${inlineScript(assets.script)}</script>
<script>${inlineScript(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

const PAGE_CSS = `
:root { --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --card: #fff; --ok: #1b873f; --bad: #c62828; --warn: #b26a00; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; margin-bottom: 16px; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 0 0 2px; }
.sub { color: var(--muted); }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; letter-spacing: .04em; color: #fff; }
.badge.pass { background: var(--ok); } .badge.fail { background: var(--bad); } .badge.none { background: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(125px, 1fr)); gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .v { white-space: nowrap; font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: var(--muted); font-size: 12px; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 14px; }
.caption { color: var(--muted); font-size: 12px; margin: 0 0 8px; }
.chart { min-height: 120px; width: 100%; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 14px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; }
table.kv td.key { color: var(--muted); width: 38%; word-break: break-word; }
td.pass { color: var(--ok); font-weight: 600; } td.fail, td.worse { color: var(--bad); font-weight: 600; } td.better { color: var(--ok); } td.cant-tell { color: var(--warn); }
.callout { border-left: 4px solid var(--warn); background: #fff8e1; padding: 8px 12px; border-radius: 4px; margin: 10px 0; }
.shares { display: grid; gap: 10px; }
.share-row { display: grid; grid-template-columns: 90px 1fr; align-items: center; gap: 10px; }
.share-bar { display: flex; height: 22px; border-radius: 4px; overflow: hidden; background: var(--line); }
.share-bar span { display: block; height: 100%; color: #fff; font-size: 11px; line-height: 22px; padding-left: 6px; white-space: nowrap; overflow: hidden; }
.keys { display: flex; flex-wrap: wrap; gap: 14px; margin-top: 8px; color: var(--muted); font-size: 12px; }
.keys i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.empty { color: var(--muted); font-style: italic; padding: 20px 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
`;
