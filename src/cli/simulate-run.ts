// `simulate <scenario.yaml>`: run a scenario and report it. A thin layer over the harness.
import type { CommandModule } from 'yargs';
import { isJukeboxError, JukeboxError } from '../errors.js';
import { DEFAULT_GRACE_MS, MAX_GRACE_MS, runScenario } from '../harness/coordinator.js';
import { buildReport } from '../report/build.js';
import { renderConsole } from '../report/console.js';
import { startConditions } from '../report/conditions.js';
import { collectEnvironment } from '../report/environment.js';
import { defaultReportPath, renderJson, saveReport, saveRepeatSummary } from '../report/files.js';
import { renderRepeatSummary } from '../report/compare-console.js';
import { renderHtml } from '../report/html.js';
import type { Report } from '../report/model.js';
import type { LoadedCatalog } from '../catalog/types.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { loadScenarioFile, type ScenarioOverrides } from '../scenario/load.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { EXIT, print, printError, reportError } from './output.js';
import { createProgressPrinter, progressMode } from './progress.js';
import { EXIT_INTERRUPTED, listenForInterrupt } from './run-interrupt.js';
import { describeBound, LOCAL_SHARDS_BOUND, REPEAT_BOUND, SHARD_COUNT_BOUND } from './bounds.js';
import { checkShardable, JOB_INDEX_ENV, parseShard, SHARD_ENV, type Shard } from '../shards/selection.js';
import { runShardsHere } from './simulate-shards.js';
import { livePort, sampledClients, startLive, traceTo, withLiveOptions, type LiveArgs } from './simulate-live.js';
import { RunLive } from '../live/run-live.js';
import { limitSequence } from '../report/sequence.js';
import { elapsedStamp } from '../live/trace.js';

/** The scenario overrides (--seed, --clients, …) and the run's own options. */
interface RunArgs extends ScenarioOverrides, LiveArgs {
  scenario: string;
  trace: boolean;
  quiet: boolean;
  json: boolean;
  out?: string;
  repeat: number;
  grace?: string;
  shard?: string;
  shards?: string;
}

export function runCommand(setExitCode: (code: number) => void): CommandModule<object, RunArgs> {
  return {
    command: '$0 <scenario>',
    describe: 'run a scenario (the default command)',
    builder: (y) =>
      withLiveOptions(y, true)
        .positional('scenario', { type: 'string', demandOption: true, describe: 'the scenario file (YAML), e.g. scenarios/100-clients.yaml' })
        .option('seed', { type: 'string', describe: "override the scenario's seed (same seed, same plan)" })
        .option('clients', { type: 'number', describe: 'closed model: clients in all (switches an open scenario to closed)' })
        .option('concurrency', { type: 'number', describe: 'closed model: clients at once' })
        .option('arrival-rate', { type: 'number', describe: 'open model: new clients per second' })
        .option('duration', { type: 'string', describe: 'open model: how long clients arrive, like 30s' })
        .option('workers', { type: 'number', describe: 'threads in the client pool (default: CPU cores)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress and no table' })
        .option('json', { type: 'boolean', default: false, describe: 'print the JSON report on stdout (the table goes to stderr)' })
        .option('repeat', {
          type: 'number',
          default: 1,
          describe: `run N times (same seed) and summarize: medians and order-statistic intervals of the key metrics, ${describeBound(REPEAT_BOUND)}`,
        })
        .option('grace', {
          type: 'string',
          describe: `after Ctrl-C, how long requests in flight may take to finish, like 5s (0 to ${formatDuration(MAX_GRACE_MS)}; default ${formatDuration(DEFAULT_GRACE_MS)})`,
        })
        .option('out', { type: 'string', describe: 'write the JSON report here (HTML beside it) instead of reports/<name>-<timestamp>.json' })
        .option('shard', {
          type: 'string',
          describe: `run only shard I of N of the plan (I/N, N ${describeBound(SHARD_COUNT_BOUND)}), against external servers; index/N takes I from ${JOB_INDEX_ENV} + 1 (Kubernetes); also ${SHARD_ENV}=I/N`,
        })
        .option('shards', {
          type: 'string',
          describe: `run the plan here as N shard processes (N ${describeBound(LOCAL_SHARDS_BOUND)}, or auto: from the peak connections and ulimit -n), its servers started once, and merge them into one report`,
        })
        .option('trace', {
          type: 'boolean',
          default: false,
          describe: 'print every protocol line of the sampled clients (--live-clients), with time, client and server',
        })
        .example('$0 scenarios/100-clients.yaml', 'the default load test')
        .example('$0 scenarios/classroom.yaml --live', 'watch the run in a browser: who asks which server what, as it happens')
        .example('$0 scenarios/100-clients.yaml --seed 7 --clients 20', 'another plan, fewer clients')
        .example('$0 scenarios/10000-clients.yaml --shards auto', 'more clients than one process can hold: shard processes, one report'),
    handler: async (args) => {
      setExitCode(await simulate(args as RunArgs));
    },
  };
}

async function simulate(args: RunArgs): Promise<number> {
  if (!Number.isInteger(args.repeat) || args.repeat < 1) {
    printError(`--repeat: expected a positive whole number, got ${String(args.repeat)}`);
    return EXIT.USAGE;
  }
  const graceMs = args.grace === undefined ? DEFAULT_GRACE_MS : args.grace.trim() === '0' ? 0 : parseDuration(args.grace);
  if (graceMs === undefined || graceMs > MAX_GRACE_MS) {
    printError(`--grace: expected a duration from 0 to ${formatDuration(MAX_GRACE_MS)}, like 5s or 500ms, got ${JSON.stringify(args.grace)}`);
    printError(`hint: the grace is how long requests in flight may finish after Ctrl-C; 0 stops them at once`);
    return EXIT.USAGE;
  }
  // Checked with the other options, before anything starts.
  if (livePort(args) !== undefined && args.repeat > 1)
    throw new JukeboxError('E_BAD_ARGUMENT', `--live: watches one run, got --repeat ${args.repeat}`, { hint: 'drop --repeat to watch a run live' });
  sampledClients(args, args.trace);
  const sharding = shardingOf(args);
  if (typeof sharding === 'number') return sharding;
  const { seed, clients, concurrency, arrivalRate, duration, workers } = args;
  // A numeric --seed is the same seed as the number in a scenario file.
  const overrides: ScenarioOverrides = {
    clients,
    concurrency,
    arrivalRate,
    duration,
    workers,
    seed: seed !== undefined && /^\d+$/.test(String(seed)) ? Number(seed) : seed,
  };
  let loaded;
  try {
    loaded = loadScenarioFile(args.scenario, overrides);
  } catch (err) {
    if (isJukeboxError(err) && (err.code === 'E_SCENARIO_INVALID' || err.code === 'E_SCENARIO_NOT_FOUND')) {
      reportError(err);
      return EXIT.USAGE;
    }
    throw err;
  }
  const { scenario, catalog } = loaded;
  if (sharding.shard) {
    try {
      checkShardable(scenario, sharding.shard);
    } catch (err) {
      if (!isJukeboxError(err, 'E_BAD_ARGUMENT')) throw err;
      reportError(err);
      return EXIT.USAGE;
    }
  }
  // Processes started for --shards, to end at a second Ctrl-C.
  let killChildren: (() => void) | undefined;
  const interrupt = listenForInterrupt(graceMs, {
    // On a terminal, the progress bar holds the line without a newline: clear it first.
    say: (line) => printError(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${line}`),
    // The one hard exit: a second Ctrl-C asks to stop at once, even with worker threads still busy.
    exitNow: (code) => {
      killChildren?.();
      // eslint-disable-next-line no-restricted-properties
      return process.exit(code);
    },
  });
  const run: RunControl = { signal: interrupt.signal, graceMs, shard: sharding.shard };
  try {
    if (sharding.shards !== undefined)
      return await runShardsHere(scenario, catalog, { ...args, shards: sharding.shards }, run, (kill) => (killChildren = kill));
    if (args.repeat === 1) {
      const { report, written } = await runOnce(scenario, catalog, args, args.out, run);
      if (args.json) process.stdout.write(renderJson(report));
      if (!args.quiet) {
        const table = renderConsole(report);
        if (args.json) printError(table);
        else print(table);
        printError(`report: ${describeWritten(written)}`);
      }
      // A signal that came after the clients were done still asked to stop: the report is whole, the exit says so.
      if (report.interrupted || run.signal.aborted) return EXIT_INTERRUPTED;
      return report.passed ? EXIT.OK : EXIT.FAILED;
    }
    return await repeatRuns(scenario, catalog, args, run);
  } finally {
    interrupt.dispose();
  }
}

/** What every run of one command shares: the interrupt and its grace, and the shard it runs. */
export interface RunControl {
  signal: AbortSignal;
  graceMs: number;
  shard: Shard | undefined;
}

/**
 * --shard (or JUKEBOX_SHARD) and --shards, checked: a shard of the plan, the plan as shards here,
 * or neither. A usage problem is printed and its exit code returned.
 */
function shardingOf(args: RunArgs): { shard?: Shard; shards?: number | 'auto' } | number {
  const fromEnv = process.env[SHARD_ENV]?.trim();
  const text = args.shard ?? (fromEnv ? fromEnv : undefined);
  const source = args.shard !== undefined ? '--shard' : SHARD_ENV;
  try {
    if (args.shards !== undefined) {
      if (text !== undefined)
        throw new JukeboxError('E_BAD_ARGUMENT', `--shards runs every shard here, ${source} runs one: got both (${source} ${text}, --shards ${args.shards})`, {
          hint: args.shard !== undefined ? 'give one of them' : `unset ${SHARD_ENV} to run every shard here`,
        });
      if (args.repeat !== 1)
        throw new JukeboxError('E_BAD_ARGUMENT', '--shards with --repeat: a series of sharded runs is not supported', {
          hint: 'run the sharded run once per command',
        });
      return { shards: parseLocalShards(args.shards) };
    }
    return text === undefined ? {} : { shard: parseShard(text, source) };
  } catch (err) {
    if (!isJukeboxError(err, 'E_BAD_ARGUMENT')) throw err;
    reportError(err);
    return EXIT.USAGE;
  }
}

function parseLocalShards(text: string): number | 'auto' {
  const trimmed = text.trim();
  if (trimmed === 'auto') return 'auto';
  const n = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (Number.isInteger(n) && n >= LOCAL_SHARDS_BOUND.min && n <= LOCAL_SHARDS_BOUND.max) return n;
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    `--shards: expected ${LOCAL_SHARDS_BOUND.what} ${describeBound(LOCAL_SHARDS_BOUND)}, or auto, got ${JSON.stringify(text)}`,
    {
      hint: LOCAL_SHARDS_BOUND.hint,
    },
  );
}

/** `--repeat N`: the same scenario and seed N times, then medians and intervals of the key metrics. */
async function repeatRuns(scenario: ResolvedScenario, catalog: LoadedCatalog, args: RunArgs, run: RunControl): Promise<number> {
  const reports: { report: Report; json: string }[] = [];
  for (let i = 1; i <= args.repeat && !run.signal.aborted; i++) {
    if (!args.quiet) printError(`run ${i} of ${args.repeat}`);
    const out = args.out ? args.out.replace(/(\.json)?$/i, `-run${i}.json`) : undefined;
    const { report, written } = await runOnce(scenario, catalog, args, out, run);
    if (!args.quiet)
      printError(
        `run ${i}: ${report.interrupted ? 'INTERRUPTED, ' : ''}${report.totals.verified} verified, ${report.totals.failed} failed, ${report.throughput.requestsPerSec} req/s; report: ${written.json}`,
      );
    // An interrupted run is a part of a run: it stays out of the medians, and ends the series.
    if (report.interrupted) break;
    reports.push({ report, json: written.json });
  }
  if (run.signal.aborted) {
    if (!args.quiet)
      printError(`interrupted: the series ended after ${reports.length} complete run${reports.length === 1 ? '' : 's'} of ${args.repeat}; no summary written`);
    return EXIT_INTERRUPTED;
  }
  const first = (reports[0] as { report: Report }).report;
  const summaryPath = args.out ? args.out.replace(/(\.json)?$/i, '-repeat.json') : defaultReportPath(first).replace(/\.json$/, '-repeat.json');
  // The summary (and its page) names the run reports just written; see saveRepeatSummary.
  const { summary, written: summaryWritten } = saveRepeatSummary(reports, summaryPath);
  if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (!args.quiet) {
    const table = renderRepeatSummary(summary);
    if (args.json) printError(table);
    else print(table);
    printError(`summary: ${describeWritten(summaryWritten)}`);
  }
  return summary.passed === summary.runs ? EXIT.OK : EXIT.FAILED;
}

async function runOnce(
  scenario: ResolvedScenario,
  catalog: LoadedCatalog,
  args: RunArgs,
  out: string | undefined,
  control: RunControl,
): Promise<{ report: Report; written: { json: string; html?: string } }> {
  // The trace's lines and a progress bar redrawn in place would cut each other up: the trace wins.
  const progress = createProgressPrinter(progressMode(args.quiet || args.trace, process.stderr), process.stderr);
  if (!args.quiet)
    printError(
      `simulate: ${scenario.name}: ${describeLoad(scenario.load)}, seed ${scenario.seed}${control.shard ? `, shard ${control.shard.index}/${control.shard.count}` : ''}`,
    );
  const watching = livePort(args) !== undefined || args.trace;
  const live = watching ? new RunLive({ scenario, catalog, sampledClients: sampledClients(args, args.trace) }) : undefined;
  const liveServer = live ? await startLive(args, live.bus) : undefined;
  // Before the run starts, even with --quiet (on stdout unless it holds the JSON report): the one line a watcher needs.
  if (liveServer) (args.json ? printError : print)(`live: ${liveServer.url}`);
  // The trace goes to stdout, unless stdout is for the JSON report.
  if (live && args.trace) traceTo(live.bus, args.json ? printError : print, elapsedStamp);
  const probe = startConditions();
  let run;
  try {
    run = await runScenario(scenario, catalog, {
      ...(control.shard ? { shard: control.shard } : {}),
      signal: control.signal,
      graceMs: control.graceMs,
      onProgress: (p) => progress.update(p),
      onServersReady: (servers) => {
        live?.serversReady(servers);
        if (!args.quiet) printError(`servers: ${servers.map((s) => `${s.id} on ${s.host}:${s.port}`).join(', ')}`);
      },
      ...(live ? { live: live.hooks } : {}),
    });
  } finally {
    live?.bus.close();
    await liveServer?.close();
  }
  progress.done();
  const report = buildReport(run, collectEnvironment(probe.finish()));
  // A watched run keeps its sampled clients' conversation: the HTML report replays it offline.
  if (live) report.sequence = limitSequence(live.sequence());
  const written = saveReport(report, out ?? defaultReportPath(report), renderHtml(report));
  return { report, written };
}

export function describeWritten(written: { json: string; html?: string }): string {
  return `${written.json}${written.html ? ` and ${written.html}` : ''}`;
}

export function describeLoad(
  load: { model: 'closed'; clients: number; concurrency: number } | { model: 'open'; arrivalRate: number; durationMs: number },
): string {
  return load.model === 'closed' ? `${load.clients} clients, ${load.concurrency} at once` : `${load.arrivalRate} clients/s for ${load.durationMs / 1000}s`;
}
