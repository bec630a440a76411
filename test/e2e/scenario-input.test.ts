// Issue #11: bad scenario input through the built `simulate` CLI: refused with exit 2, the file or
// the option named, and never a stack trace.
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogPath } from '../../src/util/paths.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

const tmp = makeTmpDir('jukebox-scenario-input-');
afterAll(() => tmp.cleanup());

function simulate(args: string[]): Promise<CliResult> {
  return runCli('simulate', args, { cwd: tmp.dir });
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m;

const scenario = (name: string, body: string) => tmp.write(`${name}.yaml`, `name: ${name}\ncatalog: ${JSON.stringify(defaultCatalogPath)}\n${body}`);

describe('simulate refuses bad scenario input (exit 2, no stack trace, nothing run)', () => {
  it('an alias bomb', async () => {
    const levels = [
      'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
    ];
    const result = await simulate([scenario('bomb', `${levels.join('\n')}\n`)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bomb\.yaml: expected at most 100 alias expansions \(MAX_YAML_ALIASES\), got more: refused as a possible alias bomb/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toMatch(/ReferenceError|unexpected error/);
    expect(result.stdout).toBe('');
  });

  it('--workers abc, blamed on the option and not on the file', async () => {
    const result = await simulate([scenario('fine', 'load: { clients: 1 }\n'), '--workers', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--workers: expected a whole number from 1 to 64 \(MAX_WORKERS\), got /);
    expect(result.stderr).not.toMatch(/fine\.yaml|got null/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('a timeout past the timer bound, a syntax error whole', async () => {
    const timeout = await simulate([scenario('long', 'client: { timeout: 1000h }\n')]);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(
      /long\.yaml: client\.timeout: expected a duration from 1ms to 2147483647ms \(about 24\.9 days\) .*got "1000h" \(3600000000ms\)/,
    );
    const syntax = await simulate([scenario('broken', 'load:\n  clients: [1, 2\n')]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/broken\.yaml: line \d+, column \d+ \([^)]*\): \S.*\S\n/);
    expect(syntax.stderr).not.toMatch(/column \d+:\s*$/m);
    expect(syntax.stderr).not.toMatch(STACK_FRAME);
  });
});
