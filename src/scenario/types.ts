// A scenario after resolution: every default filled, every duration in ms, every path absolute.
// Downstream code never checks for undefined.

export type ThinkTime =
  { distribution: 'constant'; meanMs: number } | { distribution: 'uniform'; minMs: number; maxMs: number } | { distribution: 'exponential'; meanMs: number };

export type Preference = 'fastest' | 'random' | 'least-loaded' | { server: string };

export interface ScenarioServer {
  id: string;
  host: string;
  port: number;
  /** Already running elsewhere: used as it is, not started. */
  external: boolean;
  /** STREAM pacing: the song's bitrate times this (1 = real time). */
  streamSpeed: number;
}

export type LoadModel =
  | { model: 'closed'; clients: number; concurrency: number; workers: number }
  | { model: 'open'; arrivalRate: number; durationMs: number; rampUpMs: number; workers: number };

export interface ClientBehaviour {
  requests: number;
  thinkTime: ThinkTime;
  connection: 'persistent' | 'per-request';
  prefer: Preference;
  action: { download: number; stream: number };
  timeoutMs: number;
  songs: {
    popularity: 'zipf' | 'uniform';
    exponent: number;
    absent: number;
    /** Only these songs are asked for (absent requests aside); undefined = the whole catalog. */
    ids: string[] | undefined;
  };
}

export type FaultAction = 'crash' | 'delay' | 'throttle' | 'reset' | 'refuse' | 'pause';

export interface Fault {
  atMs: number;
  server: string;
  action: FaultAction;
  restartAfterMs?: number;
  forMs?: number;
  latencyMs?: number;
  bytesPerSec?: number;
}

export interface Threshold {
  metric: string;
  condition: string;
  op: '<' | '<=' | '>' | '>=' | '==';
  /** In the metric's unit: ms for latencies, a ratio for rates. */
  value: number;
  /** What a run with no data for the metric gets: fail (absent, the default) or skip (`{ condition, ifNoData: skip }`). */
  ifNoData?: 'skip';
}

export interface ResolvedScenario {
  name: string;
  description: string;
  seed: string | number;
  /** The scenario file, absolute; undefined for a scenario built in code. */
  file: string | undefined;
  catalogPath: string;
  servers: ScenarioServer[];
  load: LoadModel;
  client: ClientBehaviour;
  faults: Fault[];
  thresholds: Threshold[];
}
