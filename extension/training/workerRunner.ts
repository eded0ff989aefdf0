/** The CPU runner: the training loop in a worker thread of the extension host (dist/trainWorker.js). */
import { Worker } from 'node:worker_threads';
import type { RunInput } from '../../engine/train/run';
import type { TrainingRunner } from './session';
import type { FromWorker, StepUnit, ToWorker } from './workerProtocol';

export class WorkerRunner implements TrainingRunner {
  private readonly worker: Worker;
  private readonly listeners: ((m: FromWorker) => void)[] = [];
  private ended = false;

  constructor(workerScript: string) {
    this.worker = new Worker(workerScript);
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'finished' || m.type === 'nonFinite' || m.type === 'failed') this.ended = true;
      for (const l of this.listeners) l(m);
    });
    this.worker.on('error', (e) => {
      if (this.ended) return;
      this.ended = true;
      for (const l of this.listeners) l({ type: 'failed', message: `the training worker crashed: ${e.message}` });
    });
    this.worker.on('exit', (code) => {
      if (this.ended) return;
      this.ended = true;
      for (const l of this.listeners) l({ type: 'failed', message: `the training worker exited (code ${code})` });
    });
  }

  private send(m: ToWorker): void {
    if (!this.ended) this.worker.postMessage(m);
  }

  start(input: RunInput): void {
    this.send({ type: 'start', ...input });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  step(unit: StepUnit): void {
    this.send({ type: 'step', unit });
  }
  pace(stepsPerSecond: number | null): void {
    this.send({ type: 'pace', stepsPerSecond });
  }
  watch(nodeId: string | null): void {
    this.send({ type: 'watch', nodeId });
  }
  stop(): void {
    this.send({ type: 'stop' });
  }
  dispose(): void {
    this.ended = true;
    void this.worker.terminate();
  }
  onMessage(listener: (m: FromWorker) => void): void {
    this.listeners.push(listener);
  }
}
