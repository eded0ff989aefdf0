/** One kernel thread (bundled to dist/kernelWorker.js): serve the engine's kernel jobs over the shared memory. */
import { workerData } from 'node:worker_threads';
// Straight from its module: the worker needs the job loop, not the whole engine (60 kB bundled).
import { serveKernelJobs } from '../engine/backend/wasm/jobs';

const { module, memory, control, index } = workerData;
serveKernelJobs(control, index, module, memory);
