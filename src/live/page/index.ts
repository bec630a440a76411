// The live view's page (contract: shared/design/live-view.md): one self-contained HTML page, served
// at `GET /` by the live server, that reads the same-origin `/events` stream and draws who talks to
// which server. Everything is inline; its Content-Security-Policy allows no network but `/events`.
import { LIVE_SCRIPT } from './live-script.js';
import { SEQUENCE_CSS, SEQUENCE_SCRIPT } from './sequence-script.js';

/** The legend the live page and the report show beside the diagram: what each shape means. */
export const SEQUENCE_LEGEND_HTML = `<div class="jx-legend" aria-label="legend">
<span>━━▶ request (solid line, filled head)</span>
<span>╍╍▷ answer, with its delay (dashed, open head)</span>
<span>✕ NOT_EXIST or ERR</span>
<span>▬▬ data: the bar fills as bytes arrive</span>
<span>➜ box: the client's choice and why</span>
<span>✔ verified · ✖ failed · ○ cancelled</span>
<span>⚡ zigzag: a fault, across every lane</span>
<span>· · connect ■ close</span>
</div>`;

/** Inlined code cannot end its element early, whatever a future edit puts in it. */
export function inlineScriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** The live page: HTML with everything inline (no CDN); it connects only to `/events` on its own origin. */
export function livePageHtml(): string {
  return `<!doctype html>
<html lang="en" data-paused="false" data-received="0">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jukebox">
<link rel="icon" href="data:,">
<title>jukebox live</title>
<style>${PAGE_CSS}${SEQUENCE_CSS}</style>
</head>
<body>
<header class="top">
<h1>jukebox live</h1><span id="scenario" class="sub"></span>
<span id="conn" class="conn">connecting…</span>
<button id="pause" type="button" aria-pressed="false">❚❚ Pause</button>
<span id="status" class="sub" aria-live="polite"></span>
</header>
<main>
<section><h2>Servers</h2><div id="servers" class="jx-servers"></div></section>
<section><h2>Counters</h2><div id="counters"></div></section>
<section>
<h2>Who talks to which server</h2>
<p class="sub">One lane per sampled client, between the servers; each row one message in the order it happened, newest at the bottom, time since the start on the left.</p>
${SEQUENCE_LEGEND_HTML}
<div id="seq" class="jx-seq"><div id="seq-head" class="jx-seq-head"></div><div id="seq-body"></div></div>
</section>
</main>
<script>${inlineScriptText(SEQUENCE_SCRIPT)}</script>
<script>${inlineScriptText(LIVE_SCRIPT)}</script>
</body>
</html>
`;
}

// Large type for a projector; the status bar stays on top while the diagram scrolls under it.
const PAGE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: #1f2933; font: 20px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
header.top { position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 10px 20px; background: #1f2933; color: #fff; }
header.top h1 { margin: 0; font-size: 1.4em; }
header.top .sub { color: #d9e2ec; }
main { padding: 8px 20px 60px; }
h2 { font-size: 1.15em; margin: 18px 0 8px; }
.sub { color: #52606d; }
.conn { padding: 2px 12px; border-radius: 999px; font-weight: 700; border: 2px solid #fff; }
.conn.on { background: #fff; color: #1f2933; }
.conn.off { border-style: dashed; }
#pause { font: inherit; font-weight: 700; padding: 6px 18px; border-radius: 8px; border: 3px solid #fff; background: #fff; color: #1f2933; cursor: pointer; }
#pause[aria-pressed="true"] { background: #1f2933; color: #fff; border-style: dashed; }
.jx-seq-head { top: 64px; }
.jx-cards { grid-template-columns: repeat(auto-fill, minmax(125px, 1fr)); }
.jx-card .jx-v { font-size: 1.3em; }
`;
