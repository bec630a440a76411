// Property tests draw from one fixed seed, so CI runs the same cases every time (a test that fails
// only sometimes is a bug to find here, not in CI). To explore new cases locally:
// FC_SEED=<any integer> npx vitest run test/property — and turn a failure it finds into a fixed case.
import fc from 'fast-check';

const DEFAULT_SEED = 20261202;
const seed = process.env.FC_SEED === undefined ? DEFAULT_SEED : Number(process.env.FC_SEED);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED=${process.env.FC_SEED}: expected an integer`);
fc.configureGlobal({ seed });
