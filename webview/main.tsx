// The graph editor's webview, minimal version: the model's name and node list, or why it cannot be read.
// (The React Flow editor replaces this in a later version.) It only reads: it never edits the document.
import type { HostMessage, WebviewMessage } from './protocol';
import { readModel } from './model';

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string | undefined, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  e.append(...children);
  return e;
}

function render(text: string): void {
  const view = readModel(text);
  if (!view.ok) {
    root.replaceChildren(el('h1', undefined, 'Cannot show this model'), el('div', 'error', view.error), el('p', 'hint', 'Fix it in the text editor (Backprop Studio: Open as Text).'));
    root.dataset.state = 'error';
    return;
  }
  const list = el('ul', 'nodes');
  for (const n of view.nodes) {
    const li = el('li', undefined, el('span', 'node-id', n.id), el('span', 'node-op', n.op));
    if (n.attrs) li.append(el('span', 'node-attrs', n.attrs));
    li.dataset.nodeId = n.id;
    list.append(li);
  }
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
  root.replaceChildren(
    el('h1', 'model-name', view.name),
    el('div', 'summary', `${plural(view.nodes.length, 'node')}, ${plural(view.edgeCount, 'edge')}`),
    view.nodes.length > 0 ? list : el('p', 'hint', 'No nodes yet.'),
  );
  root.dataset.state = 'ok';
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const msg = event.data;
  if (msg?.type === 'document') render(msg.text);
});

const ready: WebviewMessage = { type: 'ready' };
vscode.postMessage(ready);
