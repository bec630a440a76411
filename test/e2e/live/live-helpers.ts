// Helpers of the live view's tests: a plain node:http reader of `/events` that parses every `data:`
// line and checks it against the contract (the spawned CLIs: ../../helpers/run-cli.ts, spawnCli).
import { get, type IncomingMessage } from 'node:http';
import { parseLiveEvent, type LiveEvent } from '../../../src/live/events.js';

export interface EventReader {
  /** Every event so far, each checked against the contract's schema as it came. */
  events: LiveEvent[];
  response: IncomingMessage;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves once an event matching `test` has come (or is there). */
  waitFor(test: (e: LiveEvent) => boolean): Promise<LiveEvent>;
  close(): void;
}

/** GET /events with node:http; every `data:` payload goes through parseLiveEvent (a mismatch fails the reader). */
export function readEvents(baseUrl: string): Promise<EventReader> {
  return new Promise((resolve, reject) => {
    const request = get(new URL('events', baseUrl), (response) => {
      if (response.statusCode !== 200 || !String(response.headers['content-type']).startsWith('text/event-stream')) {
        reject(new Error(`GET /events answered ${response.statusCode} ${response.headers['content-type']}`));
        return;
      }
      const events: LiveEvent[] = [];
      const waiters: Array<{ test: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void }> = [];
      let failure: Error | undefined;
      let partial = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        partial += text;
        const frames = partial.split('\n\n');
        partial = frames.pop() ?? '';
        for (const frame of frames) {
          for (const line of frame.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            let event: LiveEvent;
            try {
              event = parseLiveEvent(JSON.parse(line.slice(6)));
            } catch (err) {
              failure ??= new Error(`an event does not match the contract: ${line}\n${String(err)}`);
              continue;
            }
            events.push(event);
            for (const w of waiters.filter((w) => w.test(event))) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(event);
            }
          }
        }
      });
      const ended = new Promise<void>((done, fail) => {
        response.once('end', () => (failure ? fail(failure) : done()));
        response.once('error', fail);
      });
      ended.catch(() => undefined);
      resolve({
        events,
        response,
        ended,
        waitFor(test) {
          const seen = events.find(test);
          if (seen) return Promise.resolve(seen);
          return Promise.race([
            new Promise<LiveEvent>((r) => waiters.push({ test, resolve: r })),
            ended.then(() => Promise.reject(new Error('the stream ended first'))),
          ]);
        },
        close: () => request.destroy(),
      });
    });
    request.once('error', reject);
  });
}
