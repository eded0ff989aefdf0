// The training panel's status line, from the session the host reports. No DOM here, so Node tests use it.
import type { ProgressUpdate } from '../../protocol/messages';
import type { SessionView } from './sessionStore';

const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

/** `epoch 3/20 · step 57 · loss 0.3412 · accuracy 88.0% · 2,345 samples/s` */
export function progressText(p: ProgressUpdate): string {
  const parts = [
    `epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`,
    `step ${p.step}`,
    `loss ${Number.isFinite(p.loss) ? p.loss.toPrecision(4) : String(p.loss)}`,
  ];
  if (p.accuracy !== undefined) parts.push(`accuracy ${(p.accuracy * 100).toFixed(1)}%`);
  parts.push(`${grouped(p.samplesPerSecond)} samples/s`);
  return parts.join(' · ');
}

/** The whole status line: the state, then the progress or why the run stopped. */
export function statusText(s: SessionView): string {
  const p = s.progress ? progressText(s.progress) : '';
  const withProgress = (head: string) => (p ? `${head} — ${p}` : head);
  switch (s.status) {
    case 'idle':
      return 'Not trained in this session.';
    case 'starting':
      return 'Starting…';
    case 'running':
      return withProgress('Training');
    case 'paused':
      return withProgress('Paused');
    case 'stopping':
      return withProgress('Stopping');
    case 'completed':
      return withProgress('Completed');
    case 'stopped':
      return withProgress(s.message ? `Stopped (${s.message})` : 'Stopped');
    case 'nonFinite':
      // The progress is the last good step's: its weights are the ones kept.
      return `Stopped at a non-finite value: ${s.message ?? 'NaN or Inf'}. The last good weights were kept${p ? ` (${p})` : ''}.`;
    case 'failed':
      return `Training failed: ${s.message ?? 'unknown error'}`;
  }
}
