// One part of the scale bench's clients in a process of its own: runs the scale scenario with a
// seed of its own against the servers at the given ports and tells the parent how it went.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runScenario } from '../../src/harness/coordinator.js';
import { buildReport } from '../../src/report/build.js';
import { collectEnvironment } from '../../src/report/environment.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { ClientsDone } from './messages.js';

const [scenarioPath, seed, ...portArgs] = process.argv.slice(2);
if (!scenarioPath || !seed || portArgs.length === 0 || !process.send)
  throw new Error('usage: fork clients-process.js <scenario.yaml> <seed> <serverId=port>… (with an IPC channel)');
const ports = new Map(portArgs.map((arg) => arg.split('=') as [string, string]));

const data = parse(readFileSync(scenarioPath, 'utf8')) as { servers: Array<{ id: string; port: number }> };
// The scenario names the catalog's ports; the bench's servers listen on free ones.
for (const server of data.servers) server.port = Number(ports.get(server.id) ?? server.port);
const { scenario, catalog } = parseScenario(data, scenarioPath, { seed });
const report = buildReport(await runScenario(scenario, catalog), collectEnvironment());
const done: ClientsDone = {
  type: 'done',
  clients: report.totals.clients,
  requests: report.totals.requests,
  failed: report.totals.failed,
  verified: report.totals.verified,
  cancelled: report.totals.cancelled,
  peakRssBytes: report.resources?.peakRssBytes ?? 0,
  passed: report.passed,
};
process.send(done, () => process.disconnect());
