// The webview's editing rules: ids, refused connections, copy/paste, edits, layout, reconciling React Flow state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeGeometry } from '../../webview/canvas/geometry';
import { reconcileEdges, reconcileNodes } from '../../webview/canvas/reconcile';
import { CLIP_FORMAT, copyNodes, parseClip, pasteNodes } from '../../webview/model/clipboard';
import { connectionProblem, sourceCandidates } from '../../webview/model/connect';
import { readDocument } from '../../webview/model/document';
import { addOpEdit, deleteEdit, freeSpot, moveEdit } from '../../webview/model/edits';
import { buildGraphView, type GraphView } from '../../webview/model/graphView';
import { idBaseForOp, idBaseOf, renameProblem, uniqueId } from '../../webview/model/ids';
import { layeredLayout, placeMissing } from '../../webview/model/layout';
import type { ModelJson } from '../../engine/graph/types';

const chain: ModelJson = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [4] }, ui: { x: 0, y: 0 } },
    { id: 'add', op: 'Add', ui: { x: 200, y: 0 } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 }, ui: { x: 400, y: 0 } },
    { id: 'act', op: 'ReLU', ui: { x: 600, y: 0 } },
  ],
  edges: [
    { from: 'x', to: 'add', port: 0 },
    { from: 'add', to: 'fc1' },
    { from: 'fc1', to: 'act' },
  ],
};

function viewOf(m: ModelJson): GraphView {
  const d = readDocument(JSON.stringify(m));
  if (d.kind !== 'graph') throw new Error(d.messages.join('; '));
  return buildGraphView(d.model, d.analysis);
}

describe('ids', () => {
  it('are unique and identifier-safe', () => {
    const taken = new Set(['linear1', 'x']);
    assert.equal(uniqueId(idBaseForOp('Linear'), taken), 'linear2');
    assert.equal(uniqueId(idBaseForOp('Linear'), taken), 'linear3');
    assert.equal(uniqueId(idBaseForOp('BatchNorm1d'), taken), 'batchnorm1d1');
    assert.equal(uniqueId('conv2', taken), 'conv2_1');
    assert.equal(uniqueId(idBaseForOp('CrossEntropyLoss'), taken), 'loss1');
    assert.equal(idBaseOf('fc12'), 'fc');
    assert.equal(idBaseOf('conv_3'), 'conv');
    assert.equal(idBaseOf('123'), 'node');
  });

  it('refuses bad or taken names for a rename', () => {
    const taken = new Set(['a', 'b']);
    assert.equal(renameProblem('b', taken, 'b'), null, 'its own name is fine');
    assert.match(renameProblem('a', taken, 'b')!, /already called "a"/);
    assert.match(renameProblem('2x', taken, 'b')!, /does not start with a digit/);
    assert.match(renameProblem('a-b', taken, 'b')!, /letters, digits and _/);
    assert.match(renameProblem('', taken, 'b')!, /required/);
    assert.match(renameProblem('x'.repeat(129), taken, 'b')!, /128/);
  });
});

describe('connections', () => {
  const v = viewOf(chain);
  it('refuses cycles, taken ports, self-loops and missing ports, with a reason', () => {
    assert.match(connectionProblem(v, 'act', 'add', 1)!, /^Connecting "act" to "add" would make a cycle \(add → fc1 → act → add\)/);
    assert.match(connectionProblem(v, 'x', 'fc1', 0)!, /already fed by "add"/);
    assert.match(connectionProblem(v, 'fc1', 'fc1', 0)!, /cannot feed itself/);
    assert.match(connectionProblem(v, 'x', 'fc1', 3)!, /no input port 3/);
    assert.equal(connectionProblem(v, 'x', 'add', 1), null);
  });

  it('offers as sources every node that would not make a cycle', () => {
    assert.deepEqual(sourceCandidates(v, 'add'), ['x']);
    assert.deepEqual(sourceCandidates(v, 'act'), ['x', 'add', 'fc1']);
  });
});

describe('copy and paste', () => {
  it('copies nodes and the edges among them, and pastes them with fresh ids', () => {
    const positions = new Map([
      ['add', { x: 200, y: 0 }],
      ['fc1', { x: 400, y: 0 }],
    ]);
    const clip = copyNodes(chain, ['add', 'fc1'], positions)!;
    assert.deepEqual(clip.edges, [{ from: 'add', to: 'fc1' }]);
    const text = JSON.stringify(clip);
    const back = parseClip(text)!;
    assert.deepEqual(back, clip);
    const { nodes, edges } = pasteNodes(back, new Set(chain.nodes.map((n) => n.id)), { x: 40, y: 40 });
    assert.deepEqual(
      nodes.map((n) => n.id),
      ['add1', 'fc2'],
    );
    assert.deepEqual(nodes[1], { id: 'fc2', op: 'Linear', attrs: { outFeatures: 4 }, ui: { x: 440, y: 40 } });
    assert.deepEqual(edges, [{ from: 'add1', to: 'fc2' }]);
  });

  it('ignores clipboard text that is not ours or not well formed', () => {
    const ok = { format: CLIP_FORMAT, nodes: [{ id: 'a', op: 'ReLU' }], edges: [] };
    assert.ok(parseClip(JSON.stringify(ok)));
    for (const bad of [
      'hello',
      '{"format":"backprop-studio/nodes"',
      JSON.stringify({ ...ok, nodes: [{ id: 'a', op: 'NoSuchOp' }] }),
      JSON.stringify({ ...ok, nodes: [{ id: '1a', op: 'ReLU' }] }),
      JSON.stringify({
        ...ok,
        nodes: [
          { id: 'a', op: 'ReLU' },
          { id: 'a', op: 'ReLU' },
        ],
      }),
      JSON.stringify({ ...ok, edges: [{ from: 'a', to: 'zz' }] }),
      JSON.stringify({ ...ok, edges: [{ from: 'a', to: 'a', port: -1 }] }),
      JSON.stringify({ ...ok, nodes: [] }),
      JSON.stringify({ ...ok, nodes: [{ id: 'a', op: 'ReLU', attrs: [1] }] }),
    ]) {
      assert.equal(parseClip(bad), null, bad);
    }
  });
});

describe('edits', () => {
  it('builds one edit per action', () => {
    const { edit, id } = addOpEdit('Linear', { x: 10.4, y: 20.6 }, new Set(['linear1']));
    assert.equal(id, 'linear2');
    assert.deepEqual(edit, { kind: 'addNodes', nodes: [{ id: 'linear2', op: 'Linear', ui: { x: 10, y: 21 } }], edges: [] });
    assert.deepEqual(moveEdit(new Map([['a', { x: 1.2, y: 2.7 }]])), { kind: 'moveNodes', positions: { a: { x: 1, y: 3 } } });
    assert.equal(moveEdit(new Map()), null);
    assert.deepEqual(
      deleteEdit(
        ['fc1'],
        [
          { from: 'add', to: 'fc1', port: 0 },
          { from: 'x', to: 'add', port: 0 },
        ],
      ),
      {
        kind: 'deleteElements',
        nodeIds: ['fc1'],
        edges: [{ from: 'x', to: 'add' }],
      },
    );
    assert.deepEqual(
      freeSpot({ x: 0, y: 0 }, [
        { x: 0, y: 0 },
        { x: 30, y: 30 },
      ]),
      { x: 60, y: 60 },
    );
  });
});

describe('layout', () => {
  it('lays out left to right along the edges', () => {
    const p = layeredLayout(
      chain.nodes.map((n) => ({ id: n.id, width: 136, height: 80 })),
      chain.edges,
    );
    assert.ok(p.x.x < p.add.x && p.add.x < p.fc1.x && p.fc1.x < p.act.x);
    assert.ok(Object.values(p).every((q) => Number.isInteger(q.x) && Number.isInteger(q.y)));
  });

  it('lays out nodes whose ids are Object.prototype names (__proto__, constructor, toString)', () => {
    const ids = ['__proto__', 'constructor', 'toString'];
    const p = layeredLayout(
      ids.map((id) => ({ id, width: 136, height: 80 })),
      [
        { from: '__proto__', to: 'constructor' },
        { from: 'constructor', to: 'toString' },
      ],
    );
    for (const id of ids) assert.ok(Object.hasOwn(p, id), `a position for "${id}"`);
    const x = (id: string) => (Object.getOwnPropertyDescriptor(p, id)!.value as { x: number }).x;
    assert.ok(x('__proto__') < x('constructor') && x('constructor') < x('toString'));
  });

  it('places nodes without a position without moving the others', () => {
    const nodes = [
      { id: 'a', width: 136, height: 80, ui: { x: 0, y: 0 } },
      { id: 'b', width: 136, height: 80 },
    ];
    const placed = placeMissing(nodes, [{ from: 'a', to: 'b' }], new Map());
    assert.deepEqual([...placed.keys()], ['b']);
    assert.ok(placed.get('b')!.x > 0, 'right of its input');
    const again = placeMissing(nodes, [{ from: 'a', to: 'b' }], new Map([['b', { x: 5, y: 5 }]]));
    assert.deepEqual(again.get('b'), { x: 5, y: 5 }, 'an earlier guess is kept');
    const none = placeMissing(
      [
        { id: 'p', width: 10, height: 10 },
        { id: 'q', width: 10, height: 10 },
      ],
      [{ from: 'p', to: 'q' }],
      new Map(),
    );
    assert.ok(none.get('p')!.x < none.get('q')!.x, 'a file without positions gets a layered layout');
  });
});

describe('reconciling React Flow state', () => {
  it('keeps unchanged nodes and edges as the same objects', () => {
    const fed = structuredClone(chain);
    fed.edges.push({ from: 'x', to: 'add', port: 1 });
    const v1 = viewOf(fed);
    const pos = new Map(chain.nodes.map((n) => [n.id, n.ui as { x: number; y: number }]));
    const nodes1 = reconcileNodes([], v1, pos);
    const edges1 = reconcileEdges([], v1);
    const changed = structuredClone(fed);
    changed.nodes[2].attrs = { outFeatures: 8 };
    const v2 = viewOf(changed);
    const nodes2 = reconcileNodes(nodes1, v2, pos);
    const edges2 = reconcileEdges(edges1, v2);
    assert.equal(nodes2[0], nodes1[0], 'x unchanged');
    assert.equal(nodes2[1], nodes1[1], 'add unchanged');
    assert.notEqual(nodes2[2], nodes1[2], 'fc1 changed');
    assert.notEqual(nodes2[3], nodes1[3], "act's output type follows fc1 (N×8)");
    assert.equal(edges2[0], edges1[0]);
    assert.notEqual(edges2[2], edges1[2], 'fc1 → act carries a new shape');
    assert.equal(edges2[2].data!.view.label, 'N×8');
  });

  it('keeps a dragged node where it is and applies a selection override', () => {
    const v = viewOf(chain);
    const pos = new Map(chain.nodes.map((n) => [n.id, n.ui as { x: number; y: number }]));
    const nodes = reconcileNodes([], v, pos).map((n) => (n.id === 'fc1' ? { ...n, dragging: true, position: { x: 999, y: 9 } } : n));
    const next = reconcileNodes(nodes, v, pos, { select: new Set(['act']) });
    assert.deepEqual(next[2].position, { x: 999, y: 9 });
    assert.deepEqual(
      next.filter((n) => n.selected).map((n) => n.id),
      ['act'],
    );
  });

  it('gives every node its handle geometry', () => {
    const v = viewOf(chain);
    const g = nodeGeometry(v.byId.get('add')!);
    assert.deepEqual(
      g.handles.map((h) => h.id),
      ['in0', 'in1', 'out'],
    );
    assert.ok(g.handles[1].y > g.handles[0].y);
  });
});
