// `simulate <scenario> --shards N|auto`: the plan as N shard processes here, one progress line,
// one merged report written like an ordinary run's. A thin layer over shards/local-runner.ts.
import type { LoadedCatalog } from '../catalog/types.js';
import { isJukeboxError } from '../errors.js';
import { renderConsole } from '../report/console.js';
import { defaultReportPath, renderJson, saveReport } from '../report/files.js';
import { renderHtml } from '../report/html.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { startLocalShards, type ProcessPeak } from '../shards/local-runner.js';
import { formatBytes } from '../util/duration.js';
import { EXIT, print, printError, reportError } from './output.js';
import { createProgressPrinter, progressMode } from './progress.js';
import { EXIT_INTERRUPTED } from './run-interrupt.js';
import { describeLoad, describeWritten, type RunControl } from './simulate-run.js';

interface ShardsArgs {
  quiet: boolean;
  json: boolean;
  out?: string;
  shards: number | 'auto';
}

export async function runShardsHere(
  scenario: ResolvedScenario,
  catalog: LoadedCatalog,
  args: ShardsArgs,
  control: RunControl,
  onKill: (kill: () => void) => void,
): Promise<number> {
  const progress = createProgressPrinter(progressMode(args.quiet, process.stderr), process.stderr);
  const say = (line: string) => {
    if (!args.quiet) printError(line);
  };
  say(`simulate: ${scenario.name}: ${describeLoad(scenario.load)}, seed ${scenario.seed}, in shards`);
  const run = startLocalShards(scenario, catalog, {
    shards: args.shards,
    signal: control.signal,
    graceMs: control.graceMs,
    onShards: (count, reason) => say(`shards: ${count} processes${reason ? ` (${reason})` : ''}`),
    onServersReady: (servers) => say(`servers: ${servers.map((s) => `${s.id} on ${s.host}:${s.port}`).join(', ')}`),
    onWarning: (w) => printError(`${w.serverId}: ${w.message}`),
    onProgress: (p) => progress.update(p),
  });
  onKill(run.kill);
  let result;
  try {
    result = await run.done;
  } catch (err) {
    progress.done();
    if (isJukeboxError(err, 'E_BAD_ARGUMENT')) {
      reportError(err);
      return EXIT.USAGE;
    }
    throw err;
  }
  progress.done();
  const { report } = result;
  const written = saveReport(report, args.out ?? defaultReportPath(report), renderHtml(report));
  if (args.json) process.stdout.write(renderJson(report));
  if (!args.quiet) {
    const table = renderConsole(report);
    if (args.json) printError(table);
    else print(table);
    printError(
      `connected at once (most, per server): ${
        Object.entries(report.peakConnections)
          .map(([id, n]) => `${id} ${n}`)
          .join(', ') || 'none started here'
      }`,
    );
    printError(`peak memory: ${describePeaks(report.processes)}`);
    printError(`report: ${describeWritten(written)}`);
  }
  if (report.interrupted || control.signal.aborted) return EXIT_INTERRUPTED;
  return report.passed ? EXIT.OK : EXIT.FAILED;
}

function describePeaks(processes: ProcessPeak[]): string {
  const total = processes.reduce((a, p) => a + p.peakRssBytes, 0);
  return `${processes.map((p) => `${p.name} ${formatBytes(p.peakRssBytes)}`).join(', ')}; ${formatBytes(total)} in all`;
}
