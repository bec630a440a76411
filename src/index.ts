// The public API of jukebox: explicit exports, no side effects.
export * from './errors.js';
export * from './protocol/index.js';
export * from './catalog/types.js';
export { loadCatalog, fromParsedCatalog, songsOfServer, findServer } from './catalog/load.js';
export { catalogVersion } from './catalog/version.js';
