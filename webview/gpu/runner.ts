/**
 * The page's side of the WebGPU runner. When the page loads it finds out whether it can train on WebGPU (in a
 * dedicated worker built from a blob: URL where the worker has navigator.gpu, else on this page's main thread)
 * and tells the host (gpuAdapter). When the host hands it a run (gpuRunStart) it runs it there and relays every
 * message the run posts (gpuRun), until the run ends or the host ends it (gpuRunControl).
 */
import { backend, setBackend } from '../../engine';
import workerSource from 'bps:gpu-worker';
import type { GpuRunControlMessage, GpuRunStartMessage } from '../../protocol/messages';
import { post } from '../host';
import { findAdapter } from './adapter';
import { startGpuRun, type GpuControl, type GpuRun, type GpuRunOut } from './gpuRun';
import type { WorkerIn, WorkerOut } from './workerMessages';

/** How long a worker may take to say whether it has an adapter (SwiftShader starts in well under a second). */
const PROBE_MS = 10_000;

type Where = 'worker' | 'page' | null;
let probed: Promise<Where> | null = null;
let workerUrl: string | null = null;

function newWorker(): Worker {
  workerUrl ??= URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  return new Worker(workerUrl, { name: 'Backprop Studio WebGPU training' });
}

/** Asks a fresh worker whether it has an adapter: its name, or null (no worker, no WebGPU there, no answer). */
function probeWorker(): Promise<{ adapter: string | null; why?: string }> {
  return new Promise((resolve) => {
    let w: Worker;
    try {
      w = newWorker();
    } catch (e) {
      return resolve({ adapter: null, why: `no worker (${(e as Error).message})` });
    }
    const done = (r: { adapter: string | null; why?: string }) => {
      clearTimeout(timer);
      w.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => done({ adapter: null, why: 'the worker did not answer' }), PROBE_MS);
    w.onmessage = (e: MessageEvent<WorkerOut>) => {
      if (e.data.type === 'probed') done({ adapter: e.data.adapter, why: e.data.why });
    };
    w.onerror = (e) => {
      e.preventDefault();
      done({ adapter: null, why: `the worker failed (${e.message})` });
    };
    w.postMessage({ type: 'probe' } satisfies WorkerIn);
  });
}

/** Finds where runs go and tells the host; once per page. */
export function probeGpu(): Promise<Where> {
  probed ??= (async () => {
    const inWorker = await probeWorker();
    if (inWorker.adapter) {
      post({ type: 'gpuAdapter', adapter: inWorker.adapter });
      return 'worker';
    }
    const onPage = await findAdapter();
    if (onPage.adapter) {
      post({ type: 'gpuAdapter', adapter: `${onPage.name}, on the page's thread` });
      return 'page';
    }
    post({ type: 'gpuAdapter', adapter: null, why: onPage.why });
    return null;
  })();
  return probed;
}

interface Active {
  runId: number;
  control(c: GpuControl): void;
}
let active: Active | null = null;

function relay(runId: number, message: GpuRunOut): void {
  post({ type: 'gpuRun', runId, message });
  if (['finished', 'nonFinite', 'failed', 'runnerLost'].includes(message.type) && active?.runId === runId) active = null;
}

const lost = (runId: number, reason: string) => relay(runId, { type: 'runnerLost', reason, weights: null, epoch: 0, history: [] });

async function start(m: GpuRunStartMessage): Promise<void> {
  active?.control({ type: 'dispose' });
  // Controls that come while the run is being set up (Step right after a paused start) wait for it.
  const early: GpuControl[] = [];
  let ready: ((c: GpuControl) => void) | null = null;
  const runId = m.runId;
  const mine: Active = { runId, control: (c) => (ready ? ready(c) : early.push(c)) };
  active = mine;
  const attach = (control: (c: GpuControl) => void) => {
    ready = control;
    for (const c of early.splice(0)) control(c);
  };
  const place = await probeGpu();
  if (active !== mine) return;
  if (place === 'worker') {
    const w = newWorker();
    let over = false;
    const end = () => {
      over = true;
      w.terminate();
    };
    w.onmessage = (e: MessageEvent<WorkerOut>) => {
      if (e.data.type !== 'run' || over) return;
      relay(runId, e.data.message);
      if (['finished', 'nonFinite', 'failed', 'runnerLost'].includes(e.data.message.type)) end();
    };
    w.onerror = (e) => {
      e.preventDefault();
      if (!over) lost(runId, `the WebGPU worker failed (${e.message})`);
      end();
    };
    w.postMessage({ type: 'start', input: m.input } satisfies WorkerIn);
    // The worker queues what comes before its run starts the same way.
    return attach((c) => {
      if (c.type === 'dispose') end();
      else if (!over) w.postMessage({ type: 'control', control: c } satisfies WorkerIn);
    });
  }
  if (place === 'page') return startOnPage(m, attach);
  lost(runId, 'no WebGPU adapter in this editor');
}

/** No WebGPU in workers: the run shares the page's thread, yielding between steps (StepGate) so the editor responds. */
async function startOnPage(m: GpuRunStartMessage, attach: (control: (c: GpuControl) => void) => void): Promise<void> {
  const found = await findAdapter();
  if (!found.adapter) return lost(m.runId, found.why);
  let device;
  try {
    device = await found.adapter.requestDevice();
  } catch (e) {
    return lost(m.runId, `no WebGPU device (${(e as Error).message})`);
  }
  const previous = backend();
  let restored = false;
  // The page's own engine work goes back to the CPU when the run ends: at its last message (a loop whose device was
  // lost may never finish its last read), or when the loop returns.
  const restore = () => {
    if (restored) return;
    restored = true;
    setBackend(previous);
    device.destroy();
  };
  const run: GpuRun = startGpuRun(device, m.input, (out) => {
    relay(m.runId, out);
    if (['finished', 'nonFinite', 'failed', 'runnerLost'].includes(out.type)) restore();
  });
  attach((c) => {
    run.control(c);
    if (c.type === 'dispose') restore();
  });
  void run.done.finally(restore);
}

export function handleGpuRun(m: GpuRunStartMessage | GpuRunControlMessage): void {
  if (m.type === 'gpuRunStart') void start(m);
  else if (active?.runId === m.runId) active.control(m.control);
}
