// protocol/validate.ts: every message the webview may send is accepted as a checked copy; everything else is
// refused with a reason, quickly, without throwing, recursing or touching Object.prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../protocol/validate';
import type { WebviewMessage } from '../../protocol/messages';
import { HOSTILE } from './hostile';

const GOOD: WebviewMessage[] = [
  { type: 'ready' },
  { type: 'openAsText' },
  { type: 'runCommand', command: 'train' },
  { type: 'runCommand', command: 'stopTraining' },
  { type: 'runCommand', command: 'exportTypeScript' },
  {
    type: 'edit',
    version: 0,
    edit: {
      kind: 'addNodes',
      nodes: [{ id: 'fc', op: 'Linear', attrs: { outFeatures: 8, bias: false }, ui: { x: 1.5, y: -2 } }],
      edges: [{ from: 'x', to: 'fc' }],
    },
  },
  { type: 'edit', version: 1, edit: { kind: 'addNodes', nodes: [{ id: 'r', op: 'Reshape', attrs: { shape: [-1, 4] } }], edges: [] } },
  { type: 'edit', version: 1, edit: { kind: 'moveNodes', positions: { a: { x: 0, y: 0 }, b_2: { x: -1e6, y: 1e6 } } } },
  { type: 'edit', version: 1, edit: { kind: 'deleteElements', nodeIds: ['a'], edges: [{ from: 'a', to: 'b', port: 1 }] } },
  { type: 'edit', version: 1, edit: { kind: 'connect', edge: { from: 'a', to: 'b', port: 63 } } },
  { type: 'edit', version: 1, edit: { kind: 'setInput', nodeId: 'b', port: 0, source: null } },
  { type: 'edit', version: 1, edit: { kind: 'setInput', nodeId: 'b', port: 1, source: 'a' } },
  { type: 'edit', version: 1, edit: { kind: 'setAttr', nodeId: 'b', attr: 'approximate', value: 'tanh' } },
  { type: 'edit', version: 1, edit: { kind: 'setAttr', nodeId: 'b', attr: 'kernelSize', value: [3, 3] } },
  { type: 'edit', version: 1, edit: { kind: 'setAttr', nodeId: 'b', attr: 'p', value: null } },
  { type: 'edit', version: 1, edit: { kind: 'renameNode', from: 'a', to: '_a1' } },
  { type: 'edit', version: Number.MAX_SAFE_INTEGER, edit: { kind: 'setName', name: '' } },
  { type: 'edit', version: 1, edit: { kind: 'setTraining', path: ['optimizer', 'lr'], value: 0.01 } },
  {
    type: 'edit',
    version: 1,
    edit: { kind: 'setTraining', path: ['dataset'], value: { source: 'csv', path: 'a/b.csv', columns: { label: 'y' }, shuffle: true, split: [0.8, 0.2] } },
  },
  { type: 'edit', version: 1, edit: { kind: 'setTraining', path: ['epochs'], value: null } },
  { type: 'edit', version: 1, edit: { kind: 'setInputFeatures', features: ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'] } },
  { type: 'edit', version: 1, edit: { kind: 'setInputFeatures', features: ['sin(x2)'] } },
  { type: 'edit', version: 1, edit: { kind: 'setInputFeatures', features: null } },
  { type: 'trainingControl', action: 'start' },
  { type: 'trainingControl', action: 'reset' },
  { type: 'trainingControl', action: 'walk' },
  { type: 'watchNode', nodeId: 'fc1' },
  { type: 'watchNode', nodeId: null },
  { type: 'trainingAck' },
];

test('every message of the protocol is accepted, as an equal copy', () => {
  for (const msg of GOOD) {
    const r = parseWebviewMessage(structuredClone(msg));
    assert.ok(r.ok, `${JSON.stringify(msg)}: ${!r.ok && r.error}`);
    assert.deepEqual(JSON.parse(JSON.stringify(r.msg)), msg);
  }
});

test('the copy shares nothing with what arrived', () => {
  const raw = structuredClone(GOOD[5]!) as { edit: { nodes: { attrs: Record<string, unknown> }[] } };
  const r = parseWebviewMessage(raw);
  assert.ok(r.ok && r.msg.type === 'edit' && r.msg.edit.kind === 'addNodes');
  raw.edit.nodes[0]!.attrs.outFeatures = 999;
  assert.equal((r.msg.edit.nodes[0]!.attrs as Record<string, unknown>).outFeatures, 8);
});

test('malformed and hostile messages are refused with a reason, quickly, and pollute nothing', () => {
  for (const [what, raw] of HOSTILE) {
    const t0 = performance.now();
    const r = parseWebviewMessage(raw);
    const ms = performance.now() - t0;
    assert.equal(r.ok, false, `${what} was accepted: ${JSON.stringify((r as { msg?: unknown }).msg)?.slice(0, 200)}`);
    assert.ok(
      (r as { error: string }).error.length > 0 && (r as { error: string }).error.length < 300,
      `${what}: ${(r as { error: string }).error.slice(0, 300)}`,
    );
    assert.ok(ms < 500, `${what} took ${ms.toFixed(1)} ms`);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});

test('ids such as __proto__ and constructor stay plain data in the records built', () => {
  const raw = JSON.parse('{"type":"edit","version":1,"edit":{"kind":"moveNodes","positions":{"__proto__":{"x":1,"y":2},"constructor":{"x":3,"y":4}}}}');
  const r = parseWebviewMessage(raw);
  assert.ok(r.ok && r.msg.type === 'edit' && r.msg.edit.kind === 'moveNodes');
  assert.deepEqual(Object.keys(r.msg.edit.positions).sort(), ['__proto__', 'constructor']);
  assert.deepEqual(r.msg.edit.positions['__proto__'], { x: 1, y: 2 });
  assert.equal(Object.getPrototypeOf(r.msg.edit.positions), null);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});
