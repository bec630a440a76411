// The machine a run ran on, for the report.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { Conditions } from './conditions.js';
import type { Environment } from './model.js';

/** The machine's description; with `conditions` (from startConditions().finish()) what it was doing during the run. */
export function collectEnvironment(conditions?: Conditions): Environment {
  const cpuList = cpus();
  const env: Environment = {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    jukebox: packageVersion(),
  };
  const commit = gitCommit();
  if (commit) env.gitCommit = commit;
  if (conditions) env.conditions = conditions;
  return env;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}
