// The public API of jukebox: explicit exports, no side effects.
export * from './errors.js';
export * from './protocol/index.js';
export * from './catalog/types.js';
export { loadCatalog, fromParsedCatalog, songsOfServer, findServer } from './catalog/load.js';
export { catalogVersion } from './catalog/version.js';
export { generateMp3, mp3Layout, isMp3Bitrate, type Mp3Song, type Mp3Layout } from './catalog/mp3.js';
export { resolveLibrary, songFilePath, generatedSongPath, isGeneratedSong, updateGeneratedSongFacts, type ResolveLibraryOptions, type LibrarySongEvent, type FileFacts } from './catalog/library.js';
export { verifyLibrary, sha256File, describeMismatch, type LibraryMismatch, type LibraryProblem } from './catalog/verify.js';
export { buildCatalogFromFolder, localServers, type FolderCatalog, type FolderCatalogOptions, type ServerAssignment, type SkippedFile } from './catalog/folder.js';
export { startServer, serverErrorChannel, type JukeboxServer, type ServerOptions, type CloseOptions, type ServerEventMap, type ConnectionEvent, type TraceEvent, type RejectionEvent, type InternalErrorEvent } from './server/server.js';
export { startCatalogServers, servedSongIds, type CatalogServersOptions } from './server/catalog-servers.js';
export { resolveLimits, resolveStreamSpeed, DEFAULT_LIMITS, DEFAULT_STREAM_SPEED, type ServerLimits } from './server/limits.js';
export { startServerThread, type ServerThread, type ServerThreadOptions, type ServerThreadEventMap } from './server/thread-host.js';
export type { ServerThreadCommand, ServerThreadEvent, ServerThreadReply, ServerThreadNotice, ObserveOptions, StartCommand } from './server/thread-messages.js';
