/**
 * The CPU training runner: a worker thread of the extension host, so training never blocks the host
 * or the webview. It receives a start message and pause/resume/stop, and posts FromWorker messages.
 */
import { parentPort } from 'node:worker_threads';
import { runTraining, type RunControl } from './run';
import type { FromWorker, ToWorker } from './workerProtocol';

if (!parentPort) throw new Error('trainWorker must run as a worker thread');
const port = parentPort;

let paused = false;
let stopped = false;
let wake: (() => void) | null = null;

const control: RunControl = {
  async next(settle) {
    // Yield to the event loop every step so control messages are seen promptly.
    await new Promise<void>((r) => setImmediate(r));
    // Paused: the view shows the last step before it waits.
    if (paused && !stopped) await settle();
    while (paused && !stopped) await new Promise<void>((r) => (wake = r));
    return stopped ? 'stop' : 'go';
  },
};

const post = (m: FromWorker) => {
  // Typed arrays travel by transfer, not copy.
  const transfer = m.type === 'finished' || m.type === 'nonFinite' ? [m.weights.buffer as ArrayBuffer] : m.type === 'boundary' ? [m.values.buffer as ArrayBuffer] : [];
  port.postMessage(m, transfer);
};

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start':
      void runTraining(m, post, control).catch((e: unknown) => post({ type: 'failed', message: (e as Error).message })).finally(() => port.close());
      break;
    case 'pause':
      paused = true;
      post({ type: 'paused' });
      break;
    case 'resume':
      paused = false;
      wake?.();
      post({ type: 'resumed' });
      break;
    case 'stop':
      stopped = true;
      wake?.();
      break;
  }
});
