// Placeholder of the live page (h-livepage replaces it): one self-contained HTML page that reads `/events`.
/** The live view's page: HTML with everything inline (no network, no CDN). */
export function livePageHtml(): string {
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jukebox live</title></head><body><h1>jukebox live</h1><pre id="log"></pre><script>const log=document.getElementById("log");new EventSource("/events").onmessage=(e)=>{log.textContent=e.data+"\\n"+log.textContent.slice(0,20000);};</script></body></html>';
}
