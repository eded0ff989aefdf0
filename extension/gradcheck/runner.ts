/** Runs one check in a worker thread of the extension host; cancel() ends it. */
import { Worker } from 'node:worker_threads';
import type { CheckOutcome, CheckRequest, FromCheckWorker, ToCheckWorker } from './protocol';

export class CheckRunner {
  private readonly worker: Worker;
  private settle: ((o: CheckOutcome) => void) | undefined;
  /** The outcome: the result, or why there is none (a crash or a cancel included). Never rejects. */
  readonly outcome: Promise<CheckOutcome>;

  constructor(workerScript: string, request: CheckRequest, onProgress: (done: number, total: number) => void) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.worker = new Worker(workerScript);
    this.worker.on('message', (m: FromCheckWorker) => {
      if (m.type === 'progress') onProgress(m.done, m.total);
      else this.finish(m);
    });
    this.worker.on('error', (e) => this.finish({ type: 'failed', message: `the check's worker crashed: ${e.message}` }));
    this.worker.on('exit', (code) => this.finish({ type: 'failed', message: `the check's worker exited (code ${code})` }));
    const start: ToCheckWorker = { type: 'check', ...request };
    this.worker.postMessage(start);
  }

  cancel(): void {
    this.finish({ type: 'failed', message: 'cancelled' });
  }

  private finish(o: CheckOutcome): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    settle(o);
    void this.worker.terminate();
  }
}
