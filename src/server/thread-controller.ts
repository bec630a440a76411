// The logic of a server worker thread, without the thread: commands in, events out. The worker
// entry only wires it to parentPort, so this is tested in-process.
import { loadCatalog } from '../catalog/load.js';
import { assertNever, JukeboxError, toErrorPayload } from '../errors.js';
import type { ConnectionEvent, InternalErrorEvent, RejectionEvent, ServerWarning, TraceEvent } from './events.js';
import { startServer, type JukeboxServer } from './server.js';
import type { ObserveOptions, ServerThreadCommand, ServerThreadEvent, StartCommand } from './thread-messages.js';

export class ServerThreadController {
  private server: JukeboxServer | undefined;
  private starting = false;
  private stopped = false;
  private observing: ObserveOptions = { connections: false, trace: false };

  constructor(private readonly post: (event: ServerThreadEvent) => void) {}

  /** True once a stop has completed: the worker may let its thread end. */
  get finished(): boolean {
    return this.stopped;
  }

  /** Answers one command; never throws (failures are posted as `error`). */
  async handle(command: ServerThreadCommand): Promise<void> {
    try {
      await this.dispatch(command);
    } catch (err) {
      this.post({ type: 'error', replyTo: command.id, ...toErrorPayload(err) });
    }
  }

  private async dispatch(command: ServerThreadCommand): Promise<void> {
    switch (command.type) {
      case 'start':
        return this.start(command);
      case 'stop':
        await this.running().close({ graceful: command.graceful });
        this.stopped = true;
        return this.post({ type: 'stopped', replyTo: command.id });
      case 'stats':
        return this.post({ type: 'stats', replyTo: command.id, stats: this.running().stats() });
      case 'fault':
        return this.post({ type: 'fault', replyTo: command.id, result: await this.running().fault(command.fault) });
      case 'observe':
        this.observe({ connections: command.connections, trace: command.trace });
        return this.post({ type: 'done', replyTo: command.id });
      default:
        return assertNever(command, 'server thread command');
    }
  }

  private async start(command: StartCommand): Promise<void> {
    if (this.server || this.starting) throw new JukeboxError('E_WORKER', `server thread already started (${command.serverId})`);
    this.starting = true;
    const server = await startServer({
      serverId: command.serverId,
      catalog: loadCatalog(command.catalogPath),
      files: new Map(command.files),
      streamSpeed: command.streamSpeed,
      limits: command.limits,
      descriptors: command.descriptors,
      ...(command.host === undefined ? {} : { host: command.host }),
      ...(command.port === undefined ? {} : { port: command.port }),
    });
    this.server = server;
    server.on('internalError', (e: InternalErrorEvent) => {
      const { code, message } = toErrorPayload(e.error);
      this.post({ type: 'internalError', serverId: e.serverId, connectionId: e.connectionId, code, message });
    });
    // Rare and rate-limited (descriptor-guard.ts): always forwarded.
    server.on('warning', (warning: ServerWarning) => this.post({ type: 'warning', warning }));
    this.observe(command.observe);
    this.post({
      type: 'listening',
      replyTo: command.id,
      serverId: server.serverId,
      host: server.host,
      port: server.port,
      maxConnections: server.limits.maxConnections,
      warnings: [...server.startWarnings],
    });
  }

  private running(): JukeboxServer {
    if (!this.server) throw new JukeboxError('E_WORKER', 'the server thread has not started a server');
    return this.server;
  }

  private readonly onConnection = (event: ConnectionEvent) => this.post({ type: 'connection', event });
  private readonly onConnectionClosed = (event: ConnectionEvent) => this.post({ type: 'connectionClosed', event });
  private readonly onRejected = (event: RejectionEvent) => this.post({ type: 'rejected', event });
  private readonly onRequest = (event: TraceEvent) => this.post({ type: 'request', event });
  private readonly onResponse = (event: TraceEvent) => this.post({ type: 'response', event });

  /** Subscribes to exactly the streams asked for, so an unobserved server posts nothing. */
  private observe(next: ObserveOptions): void {
    const server = this.running();
    if (next.connections !== this.observing.connections) {
      const method = next.connections ? 'on' : 'off';
      server[method]('connection', this.onConnection);
      server[method]('connectionClosed', this.onConnectionClosed);
      server[method]('rejected', this.onRejected);
    }
    if (next.trace !== this.observing.trace) {
      const method = next.trace ? 'on' : 'off';
      server[method]('request', this.onRequest);
      server[method]('response', this.onResponse);
    }
    this.observing = { ...next };
  }
}
