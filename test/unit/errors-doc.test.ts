// docs/errors.md and the error catalogue stay in step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { packageRoot } from '../../src/util/paths.js';

describe('docs/errors.md', () => {
  const documented = [...readFileSync(join(packageRoot, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

  it('documents every code of the catalogue, and no other', () => {
    expect([...documented].sort()).toEqual(Object.keys(ErrorCodes).sort());
  });
});
