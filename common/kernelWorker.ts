/** One kernel thread (bundled to dist/kernelWorker.js): serve the engine's kernel jobs over the shared memory. */
import { workerData } from 'node:worker_threads';
import { serveKernelJobs } from '../engine';

const { module, memory, control, index } = workerData;
serveKernelJobs(control, index, module, memory);
