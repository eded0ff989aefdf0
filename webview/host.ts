// The bridge to the extension host: typed messages out (protocol/messages.ts), checked messages in, and the
// webview's saved state (the viewport), which VS Code keeps while the editor is hidden.
import type { GraphEdit, HostMessage, WebviewMessage } from '../protocol/messages';

const api = acquireVsCodeApi();

export function post(msg: WebviewMessage): void {
  api.postMessage(msg);
}

export function postEdit(version: number, edit: GraphEdit): void {
  post({ type: 'edit', version, edit });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A host message, checked field by field; anything else is ignored. */
export function asHostMessage(v: unknown): HostMessage | null {
  if (!isObj(v)) return null;
  switch (v.type) {
    case 'document':
      return typeof v.text === 'string' && typeof v.version === 'number'
        ? { type: 'document', uri: typeof v.uri === 'string' ? v.uri : '', text: v.text, version: v.version, readOnly: v.readOnly === true }
        : null;
    case 'revealNode':
      return typeof v.nodeId === 'string' ? { type: 'revealNode', nodeId: v.nodeId } : null;
    case 'editRejected':
      return typeof v.reason === 'string' ? { type: 'editRejected', reason: v.reason } : null;
    default:
      return null;
  }
}

// Messages are received from the moment this module loads (so 'ready' can go out before the stylesheet and
// React are up): until the app subscribes, they wait here (only the latest document is kept).
let pending: HostMessage[] = [];
let deliver: ((msg: HostMessage) => void) | null = null;
window.addEventListener('message', (event: MessageEvent) => {
  const msg = asHostMessage(event.data);
  if (!msg) return;
  if (msg.type === 'document') performance.mark('bps:document');
  if (deliver) deliver(msg);
  else pending = [...pending.filter((m) => !(msg.type === 'document' && m.type === 'document')), msg];
});

/** Tells the host the page listens, so it sends the document. Once per page. */
let readySent = false;
export function announceReady(): void {
  if (readySent) return;
  readySent = true;
  post({ type: 'ready' });
}

/** Subscribes the app to host messages (one subscriber), first handing it what arrived before. */
export function onHostMessage(handler: (msg: HostMessage) => void): () => void {
  deliver = handler;
  const early = pending;
  pending = [];
  for (const m of early) handler(m);
  return () => {
    if (deliver === handler) deliver = null;
  };
}

export interface SavedState {
  viewport?: { x: number; y: number; zoom: number };
}

export function savedState(): SavedState {
  const s = api.getState();
  return isObj(s) ? (s as SavedState) : {};
}

export function saveState(patch: SavedState): void {
  api.setState({ ...savedState(), ...patch });
}
