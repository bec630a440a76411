// Every scenario that ships in scenarios/ is valid, and says what it shows.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../src/scenario/load.js';
import { packageRoot } from '../../../src/util/paths.js';

const dir = join(packageRoot, 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('shipped scenarios', () => {
  it('include the ones the README and the issues name', () => {
    expect(files).toEqual(
      expect.arrayContaining(['100-clients.yaml', 'seed-demo.yaml', '1000-clients-open.yaml', 'streaming.yaml', 'per-request-connections.yaml', 'faults.yaml']),
    );
  });

  it.each(files)('%s is valid and opens with a comment', (file) => {
    const { scenario } = loadScenarioFile(join(dir, file));
    expect(`${scenario.name}.yaml`).toBe(file);
    expect(readFileSync(join(dir, file), 'utf8').startsWith('# ')).toBe(true);
  });
});
