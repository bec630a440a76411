import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTempFileName, writeFileAtomic } from '../../../src/util/atomic-file.js';
import { makeTmpDir } from '../../helpers/tmp.js';

describe('writeFileAtomic', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const makeTempDir = () => {
    const t = makeTmpDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };

  it('replaces an existing file whole and leaves no temporary file behind', () => {
    const dir = makeTempDir();
    const target = join(dir, 'nested', 'report.json');
    writeFileAtomic(target, 'old');
    writeFileAtomic(target, Buffer.alloc(3 * 1024 * 1024, 'x'));
    expect(readFileSync(target).length).toBe(3 * 1024 * 1024);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['report.json']);
  });

  it('leaves the old file in place when the write fails, and cleans its temporary file', () => {
    const dir = makeTempDir();
    const target = join(dir, 'catalog.json');
    writeFileSync(target, 'old');
    // A folder where the file should be: the rename fails after the temporary file was written.
    mkdirSync(join(dir, 'taken'));
    expect(() => writeFileAtomic(join(dir, 'taken'), 'new')).toThrow();
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['catalog.json', 'taken']);
    expect(readdirSync(dir).filter(isTempFileName)).toEqual([]);
  });
});
