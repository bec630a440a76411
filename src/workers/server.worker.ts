// Worker entry for one music server: wiring only (parentPort ↔ ServerThreadController).
import { parentPort } from 'node:worker_threads';
import { ServerThreadController } from '../server/thread-controller.js';
import type { ServerThreadCommand } from '../server/thread-messages.js';

if (!parentPort) throw new Error('server.worker must run in a worker thread');
const port = parentPort;
const controller = new ServerThreadController((event) => port.postMessage(event));

port.on('message', (command: ServerThreadCommand) => {
  void controller.handle(command).then(() => {
    // Once stopped, let the thread end on its own.
    if (controller.finished) port.close();
  });
});
