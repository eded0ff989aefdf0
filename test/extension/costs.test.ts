// The cost meter's messages through the extension host (fake VS Code, the real training worker): the host forwards
// the run's stepCosts to the editor, and replays the latest to a view that opens afterwards, like node statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUri, startHost } from './host-harness';

const model = JSON.stringify(
  {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Input', attrs: { shape: [2] } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'x', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 0, optimizer: { type: 'SGD', lr: 0.1 }, batchSize: 16, epochs: 50, dataset: { source: 'xor', size: 200 } },
  },
  null,
  2,
);

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}

test('Step: the editor gets the costs of the step the run rests at, and a view opened later gets them too', async (t) => {
  const host = await startHost({ workspaceFolder: FakeUri.file('/ws') });
  const uri = FakeUri.file('/ws/c.nn.json');
  const editor = await host.open(uri, model);
  t.after(() => host.rec.commands.get('backpropStudio.stopTraining')!(uri));
  const ack = () => editor.send({ type: 'trainingAck' });
  editor.send({ type: 'trainingControl', action: 'step' });
  const costs = () => editor.posts('stepCosts') as { step: number; batch: number; nodes: { id: string; forwardFlops: number }[] }[];
  await until(() => {
    ack();
    return costs().at(-1)?.step === 1;
  }, 'the costs of step 1');
  const c = costs().at(-1)!;
  assert.equal(c.batch, 16);
  assert.deepEqual(
    c.nodes.map((n) => n.id),
    ['fc', 'loss'],
  );
  assert.equal(c.nodes[0].forwardFlops, 2 * 16 * 2 * 2 + 16 * 2);
  const later = await host.openAnother(editor.doc);
  later.send({ type: 'ready' });
  await host.settle();
  assert.equal((later.posts('stepCosts').at(-1) as { step?: number } | undefined)?.step, 1, 'replayed to the view that opened later');
});
