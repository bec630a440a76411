// The catalog version, computed here and nowhere else.
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

// canonicalize is CommonJS whose .d.ts declares an ES default export; under NodeNext the default
// import is module.exports, which is the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export const CATALOG_VERSION_HEX_DIGITS = 12;

/** sha256 of the RFC 8785 canonical JSON of the parsed catalog, first 12 hex digits. */
export function catalogVersion(parsedCatalog: unknown): string {
  const canonical = canonicalize(parsedCatalog);
  if (canonical === undefined) throw new TypeError('catalog cannot be canonicalized');
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, CATALOG_VERSION_HEX_DIGITS);
}

/**
 * The version of the MP3 generator (src/catalog/mp3.ts and src/catalog/music/). It is part of a
 * generated file's cache name, so a file written by an older generator (version 1 wrote silence)
 * is never taken for the current one, even where its size happens to match. Raise it whenever
 * the generator's bytes change.
 */
export const MP3_GENERATOR_VERSION = 2;
