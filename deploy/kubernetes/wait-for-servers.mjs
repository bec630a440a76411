// The load pods' init container: waits until every server named on the command line accepts a TCP
// connection, so that the shards of the Indexed Job start together against servers that are up,
// instead of counting connection errors while the server pods start. Through a Service, a
// connection is accepted only once a ready pod is behind it (servers.yaml's readiness probe).
//
//   node deploy/kubernetes/wait-for-servers.mjs [--timeout SECONDS] host:port...
//
// Exit 0 when all accepted, 2 a bad argument, 3 the timeout passed first (naming who did not
// answer and why), 130 stopped by SIGTERM/SIGINT. Plain JavaScript: the image runs it as it is.
import { connect } from 'node:net';

/** Between two rounds of attempts: a pod takes seconds to become ready, so this is fine-grained enough. */
const RETRY_MS = 2000;
/** One attempt: a Service with no ready pod refuses at once; a silent address must not hold a round up. */
const CONNECT_TIMEOUT_MS = 2000;
/** How often a target still refusing is reported again, so that the log shows the wait goes on. */
const REPORT_EVERY_MS = 30_000;
/** --timeout bounds, in seconds: an hour covers any image pull; beyond it something else is wrong. */
const TIMEOUT_BOUND = { min: 1, max: 3600, fallback: 300 };
const EXIT = { OK: 0, USAGE: 2, COULD_NOT_RUN: 3, INTERRUPTED: 130 };

const USAGE = 'usage: node deploy/kubernetes/wait-for-servers.mjs [--timeout SECONDS] host:port...';

/** The targets and the timeout, or the message for a bad argument. */
function parseArgs(argv) {
  const targets = [];
  let timeoutSec = TIMEOUT_BOUND.fallback;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--timeout') {
      const text = argv[++i];
      const value = Number(text);
      if (text === undefined || !Number.isInteger(value) || value < TIMEOUT_BOUND.min || value > TIMEOUT_BOUND.max)
        return { error: `--timeout: expected whole seconds from ${TIMEOUT_BOUND.min} to ${TIMEOUT_BOUND.max}, got ${text ?? 'nothing'}` };
      timeoutSec = value;
      continue;
    }
    const match = /^([^:\s]+):(\d+)$/.exec(arg);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) return { error: `${JSON.stringify(arg)}: expected host:port (port 1 to 65535), like jukebox-s1:5000` };
    targets.push({ host: match[1], port, label: arg });
  }
  if (targets.length === 0) return { error: 'expected at least one host:port' };
  return { targets, timeoutMs: timeoutSec * 1000 };
}

/** Resolves to undefined when the target accepts a connection (closed at once), else to the error's code. */
function attempt(target, signal) {
  return new Promise((resolveAttempt) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (result) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolveAttempt(result);
    };
    const onAbort = () => done('stopped');
    const timer = setTimeout(() => done('no answer'), CONNECT_TIMEOUT_MS);
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(err.code ?? err.message));
  });
}

function sleep(ms, signal) {
  return new Promise((resolveSleep) => {
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolveSleep();
    }
  });
}

async function waitForAll(targets, timeoutMs, signal) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(targets.map((t) => [t.label, { target: t, why: 'not tried', reportedAt: -Infinity }]));
  for (;;) {
    for (const [label, entry] of pending) {
      const why = await attempt(entry.target, signal);
      if (signal.aborted) return EXIT.INTERRUPTED;
      if (why === undefined) {
        pending.delete(label);
        console.log(`${label}: accepts connections`);
      } else if (why !== entry.why || Date.now() - entry.reportedAt >= REPORT_EVERY_MS) {
        console.log(`${label}: waiting (${why})`);
        Object.assign(entry, { why, reportedAt: Date.now() });
      } else entry.why = why;
    }
    if (pending.size === 0) return EXIT.OK;
    if (Date.now() >= deadline) {
      const missing = [...pending.values()].map((e) => `${e.target.label} (${e.why})`).join(', ');
      console.error(`no connection within ${timeoutMs / 1000} s: ${missing}`);
      console.error('hint: check the server pods and their Services (kubectl get pods,svc -l app.kubernetes.io/name=jukebox; kubectl logs deploy/jukebox-s1)');
      return EXIT.COULD_NOT_RUN;
    }
    await sleep(Math.min(RETRY_MS, Math.max(0, deadline - Date.now())), signal);
    if (signal.aborted) return EXIT.INTERRUPTED;
  }
}

async function main() {
  const parsed = parseArgs(process.argv.slice(2));
  if ('error' in parsed) {
    console.error(parsed.error);
    console.error(`hint: ${USAGE}`);
    return EXIT.USAGE;
  }
  // As a container's PID 1, node has no default SIGTERM action: without this the pod would wait out its grace period.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    return await waitForAll(parsed.targets, parsed.timeoutMs, stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

process.exitCode = await main();
