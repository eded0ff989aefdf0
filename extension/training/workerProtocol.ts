/**
 * Messages between the host's training session and its runner: the CPU worker thread, or the WebGPU runner in
 * the webview. They are part of the host<->webview protocol (protocol/messages.ts) since the webview runs one.
 */
export type { FromWorker, ToWorker, RunOptions, StepUnit, LearnedData, RunnerLost, RunnerCheckpoint, GradientUpdate, ProgressUpdate, EdgeFlag } from '../../protocol/messages';
