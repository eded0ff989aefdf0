/**
 * A graph editor's webview as a place to train on WebGPU: what it said about its adapter, a way to post to it,
 * its relayed run messages, and when it can no longer run (hidden, closed). The provider implements it per
 * webview (extension/editor/gpuViews.ts); no VS Code import here, so tests use fakes.
 */
import type { GpuRunControlMessage, GpuRunMessage, GpuRunStartMessage } from '../../protocol/messages';

/** What the webview said when it loaded: its adapter's name, or why it has none; undefined until it says. */
export type AdapterReport = { adapter: string } | { adapter: null; why: string } | undefined;

export interface Subscription {
  dispose(): void;
}

export interface GpuView {
  adapter(): AdapterReport;
  /** Whether the webview is showing: a hidden one is unloaded and cannot run (no retainContextWhenHidden). */
  readonly visible: boolean;
  post(m: GpuRunStartMessage | GpuRunControlMessage): void;
  onRunMessage(listener: (m: GpuRunMessage) => void): Subscription;
  /** The webview stopped being able to run: it was hidden or closed (`why` says which). */
  onGone(listener: (why: string) => void): Subscription;
}
