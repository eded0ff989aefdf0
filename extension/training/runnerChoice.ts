/**
 * Where a run trains, and the line the training panel shows about it: on WebGPU in the webview that started it
 * when the setting allows and that webview has an adapter, else on the CPU in the extension host.
 */
import type { AdapterReport } from './gpuView';

export const TRAINING_BACKENDS = ['auto', 'cpu', 'webgpu'] as const;
export type TrainingBackendSetting = (typeof TRAINING_BACKENDS)[number];

export type RunnerChoice =
  { runner: 'webgpu'; label: string } | { runner: 'cpu'; label: string; /** For the log: more than the panel says. */ detail?: string };

/** An unknown setting value counts as `auto` (VS Code shows the enum; a hand-edited settings.json may say anything). */
export function backendSetting(v: unknown): TrainingBackendSetting {
  return (TRAINING_BACKENDS as readonly unknown[]).includes(v) ? (v as TrainingBackendSetting) : 'auto';
}

/** `report`: what the webview that starts the run said about WebGPU (undefined: no webview, or it has not said yet). */
export function chooseRunner(setting: TrainingBackendSetting, report: AdapterReport): RunnerChoice {
  if (setting === 'cpu') return { runner: 'cpu', label: 'CPU: chosen in settings' };
  if (report?.adapter) return { runner: 'webgpu', label: `WebGPU: ${report.adapter}` };
  const asked = setting === 'webgpu' ? ' (backpropStudio.training.backend asks for webgpu)' : '';
  const why = report && 'why' in report ? report.why : 'the editor had not reported a WebGPU adapter';
  return { runner: 'cpu', label: 'CPU: no WebGPU adapter', detail: `${why}${asked}` };
}
