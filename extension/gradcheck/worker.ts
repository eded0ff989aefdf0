/**
 * The gradient check's worker thread (dist/gradcheckWorker.js): a check takes hundreds of forward passes, seconds on
 * a CNN, so it runs off the extension host's thread, like training. One check per worker: it answers the `check`
 * message with progress after each tensor and then the outcome, and exits.
 */
import { parentPort } from 'node:worker_threads';
import { runCheck } from './check';
import type { FromCheckWorker, ToCheckWorker } from './protocol';

if (!parentPort) throw new Error('gradcheckWorker must run as a worker thread');
const port = parentPort;
const post = (m: FromCheckWorker) => port.postMessage(m);

port.once('message', (m: ToCheckWorker) => {
  void runCheck(m, (done, total) => post({ type: 'progress', done, total }))
    .then(post, (e: unknown) => post({ type: 'failed', message: String((e as Error)?.message ?? e).split('\n')[0] }))
    .finally(() => port.close());
});
