// The webview's document → graph mapping: error pages, node and edge views, ports, problems.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDocument } from '../../webview/model/document';
import { buildGraphView, sameNodeView, type GraphView } from '../../webview/model/graphView';

const model = (nodes: unknown[], edges: unknown[] = []) => JSON.stringify({ format: 'nn-graph', version: 1, name: 'm', nodes, edges });

function view(text: string): GraphView {
  const d = readDocument(text);
  if (d.kind !== 'graph') throw new Error(`expected a graph, got the error page: ${d.messages.join('; ')}`);
  return buildGraphView(d.model, d.analysis);
}

describe('readDocument', () => {
  it('shows an error page for bad JSON, a newer version, unknown ops, duplicate or invalid ids', () => {
    const cases: [string, RegExp][] = [
      ['{ "nodes": [', /not valid JSON/],
      [JSON.stringify({ format: 'nn-graph', version: 9, nodes: [], edges: [] }), /newer/],
      [model([{ id: 'a', op: 'Lienar' }]), /did you mean "Linear"/],
      [
        model([
          { id: 'a', op: 'ReLU' },
          { id: 'a', op: 'ReLU' },
        ]),
        /more than one node/,
      ],
      [model([{ id: '1a', op: 'ReLU' }]), /not a valid identifier/],
      [JSON.stringify([1, 2]), /JSON object/],
      [JSON.stringify({ format: 'other', version: 1, nodes: [] }), /"format" must be/],
    ];
    for (const [text, re] of cases) {
      const d = readDocument(text);
      assert.equal(d.kind, 'page', text);
      if (d.kind === 'page') assert.match(d.messages.join('\n'), re);
    }
  });

  it('shows the graph, with its errors, when the model is merely incomplete', () => {
    const d = readDocument(model([{ id: 'fc', op: 'Linear' }]));
    assert.equal(d.kind, 'graph');
  });
});

describe('buildGraphView', () => {
  const mlp = model(
    [
      { id: 'x', op: 'Input', attrs: { shape: [2] }, ui: { x: 0, y: 0 } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 128 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss', port: 0 },
      { from: 'y', to: 'loss', port: 1 },
    ],
  );

  it("labels edges with the engine's shapes and names ports", () => {
    const v = view(mlp);
    assert.deepEqual(
      v.edges.map((e) => [e.id, e.label]),
      [
        ['x->fc:0', 'N×2'],
        ['fc->loss:0', 'N×128'],
        ['y->loss:1', 'N int32'],
      ],
    );
    assert.deepEqual(
      v.byId.get('loss')!.ports.map((p) => [p.name, p.source]),
      [
        ['prediction', 'fc'],
        ['target', 'y'],
      ],
    );
    assert.equal(v.byId.get('fc')!.paramCount, 2 * 128 + 128);
    assert.deepEqual(v.byId.get('fc')!.keyAttrs, ['outFeatures 128']);
    assert.deepEqual(v.byId.get('x')!.ui, { x: 0, y: 0 });
    assert.equal(v.byId.get('fc')!.ui, undefined);
    assert.equal(v.byId.get('loss')!.type, 'scalar');
    assert.deepEqual(v.problems, []);
  });

  it("shows a variadic op's fed ports plus one free port (at least its minimum)", () => {
    const base = [
      { id: 'a', op: 'Input', attrs: { shape: [3] } },
      { id: 'b', op: 'Input', attrs: { shape: [3] } },
      { id: 'add', op: 'Add' },
    ];
    assert.deepEqual(
      view(model(base))
        .byId.get('add')!
        .ports.map((p) => p.name),
      ['input0', 'input1'],
    );
    const fed = view(
      model(base, [
        { from: 'a', to: 'add', port: 0 },
        { from: 'b', to: 'add', port: 1 },
      ]),
    );
    assert.deepEqual(
      fed.byId.get('add')!.ports.map((p) => [p.name, p.source]),
      [
        ['input0', 'a'],
        ['input1', 'b'],
        ['input2', undefined],
      ],
    );
  });

  it('pins errors to nodes and edges, and problems to the node to reveal', () => {
    const v = view(
      model(
        [
          { id: 'x', op: 'Input', attrs: { shape: [2, 3] } },
          { id: 'bn', op: 'BatchNorm1d' },
          { id: 'act', op: 'ReLU' },
        ],
        [
          { from: 'x', to: 'bn' },
          { from: 'ghost', to: 'act' },
        ],
      ),
    );
    assert.ok(v.byId.get('act')!.errors.some((m) => /not connected/.test(m)));
    const ghost = v.problems.find((p) => /names no node/.test(p.message))!;
    assert.equal(ghost.nodeId, 'act', 'an edge error reveals its target node');
    assert.equal(v.edges.length, 1, 'an edge naming no node is not drawn');
  });

  it('compares views field by field', () => {
    const a = view(mlp).byId.get('fc')!;
    const b = view(mlp).byId.get('fc')!;
    assert.notEqual(a, b);
    assert.ok(sameNodeView(a, b));
    assert.ok(!sameNodeView(a, { ...b, type: 'N×64' }));
  });
});
