// The HTML report's sequence view: the sampled clients' messages of a finished run, drawn offline
// by the live page's own renderers (src/live/page/sequence-script.ts) from the events the report
// holds, so a run replays after class exactly as it looked live.
import { SEQUENCE_LEGEND_HTML, inlineScriptText } from '../live/page/index.js';
import { SEQUENCE_CSS, SEQUENCE_GLOBAL, SEQUENCE_SCRIPT } from '../live/page/sequence-script.js';
import { embedJson, escapeHtml } from './html-kit.js';
import type { Report } from './model.js';
import { sequenceEvents } from './sequence.js';

/** The element ids the section uses (the browser test looks for them). */
export const SEQUENCE_ELEMENT_ID = 'sequence';
const SEQUENCE_DATA_ID = 'jukebox-sequence';
/** Smaller type than the projected live page: the report is read up close, beside other panels. */
const REPORT_FONT = 15;

/** Draws the section in the page from its embedded events; redraws at the new width on resize. */
const BOOT_SCRIPT = `
(function () {
  'use strict';
  var S = window.${SEQUENCE_GLOBAL};
  var events = JSON.parse(document.getElementById('${SEQUENCE_DATA_ID}').textContent);
  // Every event the report kept is drawn (it holds the run's start, bounded when it was written).
  var m = S.model(events, { maxRows: events.length + 1 });
  var box = document.getElementById('${SEQUENCE_ELEMENT_ID}');
  function draw() {
    var width = Math.max(600, box.clientWidth - 2);
    document.getElementById('${SEQUENCE_ELEMENT_ID}-servers').innerHTML = S.renderServers(m);
    box.querySelector('.jx-seq-head').innerHTML = S.renderHeader(m, { width: width, font: ${REPORT_FONT} });
    box.querySelector('.jx-seq-body').innerHTML = S.renderBody(m, { width: width, font: ${REPORT_FONT} });
    box.setAttribute('data-rows', String(m.rows.length));
  }
  draw();
  var pending = 0;
  window.addEventListener('resize', function () { cancelAnimationFrame(pending); pending = requestAnimationFrame(draw); });
})();
`;

/** The section, or '' when the report holds no sequence. */
export function sequenceSection(report: Report): string {
  const events = sequenceEvents(report);
  if (events.length === 0) return '';
  const messages = events.filter((e) => e.type !== 'hello').length;
  const last = events.reduce((t, e) => ('t' in e ? Math.max(t, e.t) : t), 0);
  const caption = `The sampled clients' messages, as the live view (simulate --live) showed them: ${messages} events up to ${(last / 1000).toFixed(2)} s. One lane per client between the servers; each row is one message, in the order it happened.`;
  return `<h2>Sequence of the sampled clients</h2>
<div class="panel">
<p class="caption">${escapeHtml(caption)}</p>
<div id="${SEQUENCE_ELEMENT_ID}-servers" class="jx-servers"></div>
${SEQUENCE_LEGEND_HTML}
<div id="${SEQUENCE_ELEMENT_ID}" class="jx-seq jx-seq-report"><div class="jx-seq-head"></div><div class="jx-seq-body"></div></div>
</div>
<style>${SEQUENCE_CSS}.jx-seq-report { max-height: 80vh; overflow: auto; } .jx-seq-report .jx-seq-head { top: 0; }</style>
<script type="application/json" id="${SEQUENCE_DATA_ID}">${embedJson(events)}</script>
<script>${inlineScriptText(SEQUENCE_SCRIPT)}</script>
<script>${inlineScriptText(BOOT_SCRIPT)}</script>`;
}
