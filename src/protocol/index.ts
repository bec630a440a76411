// The jukebox/1 codec: pure, no sockets. Server, client and test fakes all wrap it.
export * from './constants.js';
export * from './types.js';
export * from './line-splitter.js';
export * from './request.js';
export * from './response.js';
export * from './response-decoder.js';
