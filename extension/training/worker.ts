/**
 * The CPU training runner: a worker thread of the extension host, so training never blocks the host
 * or the webview. It receives a start message and pause/resume/step/pace/stop, and posts FromWorker messages.
 */
import { parentPort } from 'node:worker_threads';
import { enableFastKernels } from '../../common/kernels';
import { runTraining } from '../../engine/train/run';
import { StepGate } from '../../engine/train/stepGate';
import type { FromWorker, ToWorker } from './workerProtocol';

if (!parentPort) throw new Error('trainWorker must run as a worker thread');
const port = parentPort;
// The engine's WebAssembly kernels on every core (the TypeScript kernels where WebAssembly SIMD is missing).
enableFastKernels();

const post = (m: FromWorker) => {
  // Typed arrays travel by transfer, not copy.
  const transfer =
    m.type === 'finished' || m.type === 'nonFinite' ? [m.weights.buffer as ArrayBuffer] : m.type === 'boundary' ? [m.values.buffer as ArrayBuffer] : [];
  port.postMessage(m, transfer);
};

const gate = new StepGate(post);

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start':
      gate.configure(m.options);
      void runTraining(m, post, gate)
        .catch((e: unknown) => post({ type: 'failed', message: (e as Error).message }))
        .finally(() => port.close());
      break;
    case 'pause':
      gate.pause();
      break;
    case 'resume':
      gate.resume();
      break;
    case 'step':
      gate.step(m.unit);
      break;
    case 'pace':
      gate.pace(m.stepsPerSecond);
      break;
    case 'watch':
      gate.watch(m.nodeId);
      break;
    case 'stop':
      gate.stop();
      break;
  }
});
