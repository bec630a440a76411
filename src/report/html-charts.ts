// Chart data for the HTML pages, computed in Node: the page script only draws what it is given.
// Latency distributions come from the reports' HDR histograms, decoded here into percentile points.
import { decodeHistogram } from '../metrics/histogram.js';
import type { FaultMarker } from './model.js';

export type ChartUnit = 'ms' | 'req/s' | 'B/s' | 'count';

export interface SeriesSpec {
  label: string;
  values: (number | null)[];
  unit: ChartUnit;
  axis: 'left' | 'right';
  color: string;
  style: 'line' | 'dashed' | 'bars';
}

export interface MarkerSpec {
  x: number;
  label: string;
}

export interface ChartSpec {
  /** The id of the element the chart is drawn in. */
  id: string;
  /** `time`: seconds on x; `percentile`: x = 1/(1 − p), drawn on a log scale and labelled as p. */
  kind: 'time' | 'percentile';
  xLabel: string;
  /** Axis titles; an empty string leaves the axis untitled. The right axis exists when a series uses it. */
  leftLabel: string;
  rightLabel: string;
  x: number[];
  series: SeriesSpec[];
  markers: MarkerSpec[];
  /** A log scale for y (latency distributions span orders of magnitude). */
  yLog: boolean;
}

/** Distinct, print-safe colours; series take them in order. */
export const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#475569'] as const;
export const ERROR_COLOR = '#e11d48';
export const MARKER_COLOR = '#b45309';

export function color(i: number): string {
  return PALETTE[i % PALETTE.length] ?? '#000000';
}

/** Points per halving of the remaining tail (50 %, 75 %, 87.5 % …): HdrHistogram's own plot spacing. */
export const PERCENTILE_TICKS_PER_HALF = 5;
/** Never more points than this, whatever the count. */
const MAX_PERCENTILE_POINTS = 400;

/** x = 1/(1 − p) from 1 (p = 0) while a histogram of `count` values still resolves it. */
export function percentileGrid(count: number): number[] {
  const grid: number[] = [];
  for (let k = 0; k < MAX_PERCENTILE_POINTS; k++) {
    const x = Math.pow(2, k / PERCENTILE_TICKS_PER_HALF);
    if (x > Math.max(1, count)) break;
    grid.push(round(x, 4));
  }
  return grid;
}

/**
 * The latency (ms) at each grid point of an encoded histogram; null beyond what its count
 * resolves (a run of 100 requests says nothing of its 99.9th percentile).
 */
export function percentileCurve(encoded: string, grid: number[]): (number | null)[] {
  const h = decodeHistogram(encoded);
  const count = h.totalCount;
  return grid.map((x) => (count === 0 || x > count ? null : round(h.getValueAtPercentile(100 * (1 - 1 / x)) / 1000, 3)));
}

export function histogramCount(encoded: string): number {
  return decodeHistogram(encoded).totalCount;
}

export function faultMarkers(faults: FaultMarker[]): MarkerSpec[] {
  return faults.map((f) => ({ x: f.t, label: `${f.server} ${f.action}` }));
}

function round(n: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(n * f) / f;
}
