// `npm run build && node dist/bench/abuse/main.js [--quick] [--only slowloris,half-closed]`:
// each abuse case against a fresh server in its own process (so that its memory is its own),
// with a well-behaved client measuring latency meanwhile. Prints a Markdown table (the one in
// docs/reliability.md) and writes the figures to .cache/bench/abuse.json. Loopback only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LatencySummary } from '../../src/metrics/histogram.js';
import { packageRoot } from '../../src/util/paths.js';
import { abuseCases } from './cases.js';
import { ABUSE_SERVER_ID, createAbuseLibrary } from './library.js';
import { measureAbuse, type AbuseMeasurement } from './measure.js';
import { AbuseServer } from './server-handle.js';

/** Well beyond a full run (about a minute): if this passes, something hangs. */
const WHOLE_RUN_TIMEOUT_MS = 5 * 60_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const only = values.only?.split(',').map((s) => s.trim());
  const cases = abuseCases(values.quick ? 'quick' : 'full').filter((c) => !only || only.includes(c.abuse.name));
  const library = createAbuseLibrary();
  const results: AbuseMeasurement[] = [];
  const watchdog = setTimeout(() => {
    process.stderr.write(`abuse bench: still running after ${WHOLE_RUN_TIMEOUT_MS} ms; giving up\n`);
    process.exit(2);
  }, WHOLE_RUN_TIMEOUT_MS);
  watchdog.unref();
  try {
    for (const { abuse, probe } of cases) {
      process.stderr.write(`${abuse.name} ...\n`);
      const server = await AbuseServer.start({
        catalogPath: library.catalogPath,
        serverId: ABUSE_SERVER_ID,
        ...(abuse.limits ? { limits: abuse.limits } : {}),
      });
      try {
        results.push(await measureAbuse(server, library, abuse, probe));
      } finally {
        await server.stop();
      }
    }
  } finally {
    library.cleanup();
  }
  const header = `node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
  process.stdout.write(`${header}\n\n${table(results)}\n`);
  const dir = join(packageRoot, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'abuse.json'), `${JSON.stringify({ when: new Date().toISOString(), environment: header, results }, null, 2)}\n`);
}

function table(results: AbuseMeasurement[]): string {
  const rows = [
    [
      'abuse',
      'server RSS before',
      'peak',
      'growth',
      'CHECK p50',
      'p99',
      'max',
      'GET 1 KiB p50',
      'p99',
      'max',
      'connect+HELLO p99',
      'probe errors',
      'server errors (500)',
      'probe rounds under attack',
    ],
    ...results.map((r) => [
      `${r.name}: ${r.description}`,
      mib(r.baseline.rss),
      mib(r.baseline.rss + r.peakGrowthBytes),
      mib(r.peakGrowthBytes),
      ms(r.probe.check.p50),
      ms(r.probe.check.p99),
      ms(r.probe.check.max),
      ms(r.probe.get.p50),
      ms(r.probe.get.p99),
      ms(r.probe.get.max),
      latency(r.probe.connect),
      String(r.probe.errors),
      String(r.after.internalErrors),
      `${r.probe.roundsUnderAttack} of ${r.probe.rounds}`,
    ]),
  ];
  const [head, ...body] = rows.map((cells) => `| ${cells.join(' | ')} |`);
  return [head, `|${' --- |'.repeat(rows[0]?.length ?? 0)}`, ...body].join('\n');
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}

function latency(summary: LatencySummary): string {
  return summary.count === 0 ? '-' : ms(summary.p99);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`abuse bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
