// The chart library's files (uPlot), read from node_modules so that HTML pages can inline them:
// the pages then work offline and fetch nothing. The renderers stay pure by taking these strings.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChartAssets {
  /** uPlot's browser build (defines the global `uPlot`). */
  script: string;
  css: string;
}

const UPLOT_SCRIPT = 'uplot/dist/uPlot.iife.min.js';
const UPLOT_CSS = 'uplot/dist/uPlot.min.css';

let cached: ChartAssets | undefined;

/** Reads the files once per process. */
export function loadChartAssets(): ChartAssets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = { script: readFileSync(require.resolve(UPLOT_SCRIPT), 'utf8'), css: readFileSync(require.resolve(UPLOT_CSS), 'utf8') };
  }
  return cached;
}
