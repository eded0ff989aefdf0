/**
 * Flow control for training updates to one webview. A run produces updates faster than a loaded machine can
 * draw them (in VS Code in the browser the webview shares the workbench's thread): sent blindly, they queue
 * up, the status bar and the editor fall seconds behind the run, and a click on Stop waits behind the queue.
 *
 * So the host sends at most WINDOW training messages the webview has not acknowledged (it answers each with
 * `trainingAck` once it has drawn it) and keeps only the newest unsent message of each kind: every training
 * message carries a whole state (status, history, latest gradients, latest boundary), so dropping an older
 * one of the same kind loses nothing the view would still show. Other messages (the document) pass at once.
 * No VS Code import, so it is tested on its own.
 */
import { ACKNOWLEDGED_MESSAGES, type HostMessage } from '../../protocol/messages';

const COALESCED: ReadonlySet<HostMessage['type']> = new Set(ACKNOWLEDGED_MESSAGES);

export interface FeedOptions {
  /** Unacknowledged training messages allowed in flight. */
  window?: number;
  /** With no acknowledgement for this long, the webview is taken to have dropped them (a reload, a hidden view). */
  ackTimeoutMs?: number;
  now?: () => number;
}

export class TrainingFeed {
  private readonly pending = new Map<HostMessage['type'], HostMessage>();
  private inFlight = 0;
  private lastSent = 0;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (m: HostMessage) => void,
    options: FeedOptions = {},
  ) {
    this.window = options.window ?? 4;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  post(m: HostMessage): void {
    if (!COALESCED.has(m.type)) return this.send(m);
    // A newer message of the same kind replaces the unsent one in its place: the kind that has waited longest goes first.
    this.pending.set(m.type, m);
    this.flush();
  }

  /** The webview drew one training message. */
  ack(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.flush();
  }

  /** The webview (re)loaded: nothing of before is in flight. */
  reset(): void {
    this.inFlight = 0;
    this.flush();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private flush(): void {
    if (this.inFlight > 0 && this.now() - this.lastSent >= this.ackTimeoutMs) this.inFlight = 0;
    for (const [type, m] of this.pending) {
      if (this.inFlight >= this.window) break;
      this.pending.delete(type);
      this.inFlight++;
      this.lastSent = this.now();
      this.send(m);
    }
    this.armTimer();
  }

  /** Messages left waiting go out after the timeout even if no acknowledgement ever comes. */
  private armTimer(): void {
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.ackTimeoutMs);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
