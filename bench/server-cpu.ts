// The server's CPU per request, per connection or per MB, beside issue 15's rate ratios. A rate
// ratio says who was faster in one run; the CPU time a server process spends per unit of work
// says how much work each needed, which decides the ratio when servers and clients share the
// cores. It is not free of noise either (a busy machine means fewer requests per wake-up). Each
// round reads the server's CPU (its process and descendants, /proc) before and after the load
// client's run, and divides by what the client got over that same run, warm-up included.
import { cpuMicros } from './peers/cpu.js';
import { medianOf, ratioOf, spreadOf, type BenchRow, type PeerFigure } from './results.js';
import type { Measured, Side } from './rounds.js';

/** One round's server CPU: user + system µs over the whole load run, what was served, and their quotient. */
export interface RoundCpu {
  micros: number;
  served: number;
  perUnit: number;
}

/** A round's result with the server's CPU over it; absent where it was not measured. */
export interface ServerCpu {
  serverCpu?: RoundCpu | undefined;
}

/** The CPU row's group: issue 15's rows are the ones they explain. */
const GROUP = 'issue 15';

/**
 * The side, with the CPU of process `pid` read around each of its runs. `served` counts the
 * units of work of the whole run (warm-up included, like the CPU); no pid (a server with no
 * process of its own), no /proc or nothing served: the round has no `serverCpu`.
 */
export function withServerCpu<R>(side: Side<R>, pid: number | undefined, served: (r: R) => number): Side<R & ServerCpu> {
  return {
    name: side.name,
    run: async () => {
      const before = pid === undefined ? undefined : cpuMicros(pid);
      const result = await side.run();
      const after = pid === undefined ? undefined : cpuMicros(pid);
      const units = served(result);
      if (before === undefined || after === undefined || !(units > 0)) return { ...result, serverCpu: undefined };
      return { ...result, serverCpu: { micros: after - before, served: units, perUnit: (after - before) / units } };
    },
  };
}

/** The median of the rounds' CPU per unit. */
export function medianCpu(measured: Measured<ServerCpu> | undefined): number | undefined {
  return medianOf(measured, (r) => r.serverCpu?.perUnit);
}

/** Why a side's CPU has no figure: the server is missing or failed, runs in the bench process, or /proc is not readable. */
export function cpuUnmeasured(pid: number | undefined, measured: Measured<ServerCpu> | undefined, missing: string | undefined): string {
  if (missing) return missing;
  if (measured && measured.rounds.length === 0 && measured.errors[0]) return `failed: ${measured.errors[0]}`;
  // Only the jukebox server runs without a process of its own (every peer without one is missing).
  if (pid === undefined) return 'not measured: in the bench process (--server thread|in-process)';
  return `not measured: /proc/${pid}/stat is not readable (Linux only)`;
}

/** One side of a CPU row: its rounds, and why there is no figure if there is none. */
export interface CpuSide {
  name: string;
  measured: Measured<ServerCpu> | undefined;
  unmeasured: string;
}

/**
 * A row of µs per unit, jukebox's median against the peer's, lower is better (the ratio is the
 * peer's CPU ÷ jukebox's); no target: it explains the rate row above it.
 */
export function cpuRow(name: string, unit: string, jukebox: CpuSide, peer: CpuSide): BenchRow {
  const figure = medianCpu(jukebox.measured);
  const peerFigure = medianCpu(peer.measured);
  const spread = (side: CpuSide) => spreadOf(side.measured, (r) => r.serverCpu?.perUnit ?? Number.NaN, 'lower');
  const row: BenchRow = { group: GROUP, name, figure: figure ?? 0, spread: spread(jukebox), unit, better: 'lower' };
  if (figure === undefined) {
    const peerText = peerFigure === undefined ? '' : ` (${peer.name}: ${peerFigure.toFixed(1)} ${unit})`;
    return { ...row, note: `${jukebox.unmeasured}${peerText}` };
  }
  if (peerFigure === undefined) return { ...row, note: `${peer.name}: ${peer.unmeasured}` };
  const peerRow: PeerFigure = { name: peer.name, figure: peerFigure, spread: spread(peer) };
  return { ...row, peer: peerRow, ratio: ratioOf(figure, peerFigure, 'lower') };
}
