// HELLO [client-name] → OK jukebox/1 server=<id> catalog=<version> songs=<n>
import { PROTOCOL_NAME } from '../../protocol/constants.js';
import type { Exchange, Pending } from '../context.js';
import type { RequestOf } from './types.js';

export function hello(exchange: Exchange, _request: RequestOf<'HELLO'>): Pending {
  const { serverId, catalogVersion, store } = exchange.server;
  return exchange.reply({ kind: 'OK', protocol: PROTOCOL_NAME, server: serverId, catalog: catalogVersion, songs: store.count, extra: {} });
}
