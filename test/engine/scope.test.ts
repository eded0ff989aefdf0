// The tape's ops are attributed to the graph node that recorded them (autograd's scope), and the profiling hooks
// see each node's forward and each op's backward: what the cost meter and the step walk-through are built on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, Tensor, type BackwardEvent } from '../../engine';

const json = {
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [3] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'act', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [2] } },
    { id: 'loss', op: 'MSELoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
};

test('every recorded op carries its graph node, forward runs in the compiled order and backward in reverse', () => {
  const model = GraphModel.create(JSON.stringify(json));
  const forward: string[] = [];
  const pass = model.forward(
    { x: Tensor.fromData([1, -2, 0.5, 0.3, 0.1, -1], [2, 3]), y: Tensor.fromData([0, 1, 1, 0], [2, 2]) },
    {
      training: true,
      observe: (id, out, ms) => {
        forward.push(id);
        assert.ok(ms >= 0 && (id === 'loss' ? out.size === 1 : out.shape[0] === 2));
      },
    },
  );
  assert.deepEqual(
    forward,
    model.order.filter((id) => !['x', 'y'].includes(id)),
    'every computed node once, in the compiled order',
  );
  const events: BackwardEvent[] = [];
  pass.loss!.backward(undefined, { observe: (e) => events.push(e) });
  const scopes = events.map((e) => e.node.scope);
  assert.ok(
    scopes.every((s) => s !== undefined),
    `an op outside any node: ${JSON.stringify(events.map((e) => e.node.op))}`,
  );
  // Grouped by node, in the order their backward ran: the reverse of the forward order.
  const nodes = scopes.filter((s, i) => s !== scopes[i - 1]);
  assert.deepEqual(nodes, ['loss', 'fc2', 'act', 'fc1']);
  // A node can be several primitives of the tape: MSELoss records a subtraction, a square and a mean.
  assert.deepEqual(
    events.filter((e) => e.node.scope === 'loss').map((e) => e.node.op),
    ['Mean', 'Square', 'Sub'],
  );
  // The gradient the loss's backward received is d loss / d loss = 1.
  assert.deepEqual(Array.from(events[0].gradOutput.dataSync()), [1]);
});
