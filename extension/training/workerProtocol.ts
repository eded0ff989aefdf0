/**
 * Messages between the host's training session and its runner: the CPU worker thread, or the WebGPU runner in
 * the webview. The run defines them (engine/train/runMessages.ts); protocol/messages.ts carries them between the
 * webview and the host.
 */
export type {
  FromWorker,
  ToWorker,
  RunOptions,
  StepUnit,
  LearnedData,
  RunnerLost,
  RunnerCheckpoint,
  GradientUpdate,
  ProgressUpdate,
  EdgeFlag,
} from '../../protocol/messages';
