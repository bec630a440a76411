// The public API of jukebox: explicit exports, no side effects.
export * from './errors.js';
export * from './protocol/index.js';
export * from './catalog/types.js';
export { loadCatalog, fromParsedCatalog, songsOfServer, findServer } from './catalog/load.js';
export { catalogVersion } from './catalog/version.js';
export { generateMp3, mp3Layout, isMp3Bitrate, type Mp3Song, type Mp3Layout } from './catalog/mp3.js';
export {
  resolveLibrary,
  songFilePath,
  generatedSongPath,
  isGeneratedSong,
  updateGeneratedSongFacts,
  type ResolveLibraryOptions,
  type LibrarySongEvent,
  type FileFacts,
} from './catalog/library.js';
export { verifyLibrary, sha256File, describeMismatch, type LibraryMismatch, type LibraryProblem } from './catalog/verify.js';
export {
  buildCatalogFromFolder,
  localServers,
  type FolderCatalog,
  type FolderCatalogOptions,
  type ServerAssignment,
  type SkippedFile,
} from './catalog/folder.js';
export {
  startServer,
  serverErrorChannel,
  type JukeboxServer,
  type ServerOptions,
  type CloseOptions,
  type ServerEventMap,
  type ConnectionEvent,
  type TraceEvent,
  type RejectionEvent,
  type InternalErrorEvent,
} from './server/server.js';
export { startCatalogServers, servedSongIds, type CatalogServersOptions } from './server/catalog-servers.js';
export { resolveLimits, resolveStreamSpeed, DEFAULT_LIMITS, DEFAULT_STREAM_SPEED, type ServerLimits } from './server/limits.js';
export { startServerThread, type ServerThread, type ServerThreadOptions, type ServerThreadEventMap } from './server/thread-host.js';
export type { ServerThreadCommand, ServerThreadEvent, ServerThreadReply, ServerThreadNotice, ObserveOptions, StartCommand } from './server/thread-messages.js';
export {
  JukeboxConnection,
  type ConnectOptions,
  type ClientTraceEvent,
  type ClientTraceObserver,
  type RequestTiming,
  type HelloResult,
  type CheckResult,
  type DataResult,
  type ListResult,
  type StatsResult,
  type QuitResult,
  type TransferRequestOptions,
} from './client/connection.js';
export { JukeboxServerError, serverStatusOf } from './client/errors.js';
export { transferSong, type TransferOptions, type TransferOutcome, type TransferSource, type TransferSink, type TransferSegment } from './client/transfer.js';
export { chooseServer, PREFERENCE_RULES, type CheckAnswer, type ChoiceResult, type ChoiceReason, type ServerPreference } from './client/choice.js';
export { askServers, type AskServersOptions } from './client/ask-servers.js';
export { ConnectionCache, type ConnectionCacheOptions, type ServerEndpoint } from './client/pool.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_MAX_RESUMES, CLOSE_GRACE_MS } from './client/limits.js';
export { loadScenarioFile, parseScenario, ScenarioError, type ScenarioOverrides, type LoadedScenario } from './scenario/load.js';
export {
  makePlan,
  planSpec,
  clientScript,
  selectedScripts,
  countSelected,
  withinSelection,
  arrivals,
  ALL_CLIENTS,
  type Plan,
  type PlanSpec,
  type ClientSelection,
  type ClientScript,
  type PlannedRequest,
  type PlanTotals,
} from './scenario/plan.js';
export type { ResolvedScenario, ScenarioServer, LoadModel, ClientBehaviour, ThinkTime, Fault, Threshold } from './scenario/types.js';
export { createHistogram, encodeHistogram, decodeHistogram, mergeEncoded, summarize, PHASES, type Phase, type LatencySummary } from './metrics/histogram.js';
export { runScenario, DEFAULT_GRACE_MS, MAX_GRACE_MS, type RunOptions, type Progress } from './harness/coordinator.js';
export type { RunResult, RunInterruption, ResourceUse, FaultEvent } from './harness/run-result.js';
export { buildReport } from './report/build.js';
export { renderConsole } from './report/console.js';
export { renderHtml } from './report/html.js';
export { saveReport, readReport, renderJson, defaultReportPath } from './report/files.js';
export { compareRuns, compareGroups } from './report/compare.js';
export { mergeReports } from './report/merge.js';
export { parseShard, shardSelection, checkShardable, MAX_SHARDS, SHARD_ENV, JOB_INDEX_ENV, type Shard } from './shards/selection.js';
export { planFingerprint } from './shards/fingerprint.js';
export { checkShardSet } from './shards/merge-check.js';
export { autoShardCount, peakClients, MAX_LOCAL_SHARDS, type AutoShards } from './shards/auto.js';
export { startLocalShards, type LocalShardsOptions, type LocalShardsResult, type LocalShardsRun, type ProcessPeak } from './shards/local-runner.js';
export { summarizeRepeats } from './report/repeat.js';
export { listReports } from './report/list.js';
export { REPORT_SCHEMA, type Report } from './report/model.js';
export {
  runJourney,
  PLAYBACK_TICK_MS,
  type ServerOffer,
  type JourneyChoice,
  type TransferTimings,
  type JourneyEvent,
  type JourneyRequest,
  type JourneyHooks,
  type JourneyOutcome,
  type CancelReason,
  type TransferAction,
  type VerifiedTransfer,
} from './client/journey.js';
export {
  ClientSession,
  journeyServers,
  DEFAULT_CLIENT_NAME,
  PROBE_TIMEOUT_MS,
  type ClientSessionOptions,
  type JourneyServer,
  type WireTraceEvent,
  type SessionEvent,
  type ServerStatus,
  type ServerAnswer,
} from './client/journey-session.js';
export { downloadFileName, DEFAULT_DOWNLOAD_DIR } from './client/journey-file.js';
export {
  PlaybackSimulation,
  START_BUFFER_SEC,
  type PlaybackOptions,
  type PlaybackPhase,
  type PlaybackSnapshot,
  type PlaybackChange,
  type PlaybackSummary,
} from './client/journey-playback.js';
export {
  findSong,
  suggestSongs,
  completeSong,
  checkQuery,
  escapeControls,
  MAX_QUERY_CHARS,
  MAX_SUGGESTIONS,
  MAX_COMPLETIONS,
  type SongMatch,
  type QueryCheck,
  type QueryProblem,
} from './client/song-search.js';
export type { FaultCommand, FaultResult } from './server/faults.js';
export { faultSteps, startFaultSchedule, type FaultTarget } from './harness/faults.js';
