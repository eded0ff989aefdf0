/**
 * One graph editor's webview as a place to train on WebGPU (extension/training/gpuView.ts): it keeps what the
 * page said about its adapter, relays the page's run messages, and says when the page goes. A hidden editor's
 * page is unloaded (the provider does not retain hidden webviews), so hiding ends its WebGPU run as closing does:
 * the run goes on on the CPU (extension/training/fallbackRunner.ts).
 */
import * as vscode from 'vscode';
import type { AdapterReport, GpuView, Subscription } from '../training/gpuView';
import type { GpuAdapterMessage, GpuRunControlMessage, GpuRunMessage, GpuRunStartMessage, HostMessage } from '../../protocol/messages';

export class WebviewGpu implements GpuView {
  private report: AdapterReport;
  private readonly runListeners = new Set<(m: GpuRunMessage) => void>();
  private readonly goneListeners = new Set<(why: string) => void>();

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly postToPage: (m: HostMessage) => void,
  ) {}

  get visible(): boolean {
    return this.panel.visible;
  }

  adapter(): AdapterReport {
    return this.report;
  }

  reported(m: GpuAdapterMessage): void {
    this.report = m.adapter ? { adapter: m.adapter } : { adapter: null, why: m.why ?? 'no WebGPU adapter' };
  }

  received(m: GpuRunMessage): void {
    for (const l of [...this.runListeners]) l(m);
  }

  /** The page was unloaded (hidden) or the editor closed: what it ran is gone, and it reports its adapter again when it loads. */
  gone(why: string): void {
    this.report = undefined;
    for (const l of [...this.goneListeners]) l(why);
  }

  post(m: GpuRunStartMessage | GpuRunControlMessage): void {
    this.postToPage(m);
  }

  onRunMessage(listener: (m: GpuRunMessage) => void): Subscription {
    this.runListeners.add(listener);
    return { dispose: () => this.runListeners.delete(listener) };
  }

  onGone(listener: (why: string) => void): Subscription {
    this.goneListeners.add(listener);
    return { dispose: () => this.goneListeners.delete(listener) };
  }
}
