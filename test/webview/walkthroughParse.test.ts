// What the webview accepts of a walk-through trace and of weight images (webview/walkthrough/parse.ts): a real trace
// of the engine, through JSON as the host sends it, comes out whole; anything malformed or over a cap is dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, Trainer, weightImage, type Dataset } from '../../engine';
import { paramImagesOf, traceOf, weightImageOf } from '../../webview/walkthrough/parse';
import { mlpClassifier } from '../../extension/templates/mlpClassifier';
import { cnnDigits } from '../../extension/templates/cnnDigits';

async function realTrace(json: unknown, inputShape: number[], classes: number) {
  const per = inputShape.reduce((a, b) => a * b, 1);
  const n = 8;
  const data: Dataset = {
    n,
    inputs: Float32Array.from({ length: n * per }, (_, i) => Math.sin(i)),
    inputShape,
    targets: Int32Array.from({ length: n }, (_, i) => i % classes),
    targetShape: [],
    targetDtype: 'int32',
  };
  const trainer = new Trainer(GraphModel.create(JSON.stringify(json)), data, null, { batchSize: n, epochs: 1, seed: 0 });
  return (await trainer.trainStepTraced()).trace;
}

test('a real trace (the MLP and CNN templates) arrives whole', async () => {
  for (const [json, shape, classes] of [
    [mlpClassifier.model, [2], 2],
    [cnnDigits.model, [1, 28, 28], 10],
  ] as const) {
    const trace = await realTrace(json, [...shape], classes);
    const sent = JSON.parse(JSON.stringify(trace));
    assert.deepEqual(traceOf(sent), sent);
  }
});

test('a malformed or oversized trace is dropped, not half drawn', async () => {
  const good = JSON.parse(JSON.stringify(await realTrace(mlpClassifier.model, [2], 2)));
  const broken: [string, (t: Record<string, any>) => void][] = [
    ['no forward list', (t) => delete t.forward],
    ['a node id that is a number', (t) => (t.forward[0].node = 3)],
    ['a shape of rank 9', (t) => (t.backward[0].shape = new Array(9).fill(1))],
    ['a summary without a mean', (t) => delete t.backward[1].gradOut.mean],
    ['a heatmap whose cells do not fit its size', (t) => t.forward[0].heatmap.values.push(1)],
    ['a weight image with a string cell', (t) => (t.update[0].params[0].images.grad.values[0] = '1')],
    ['an edge index below zero', (t) => (t.edges[0].index = -1)],
    ['10 001 forward nodes', (t) => (t.forward = new Array(10_001).fill(t.forward[0]))],
    ['an optimizer without a rule', (t) => delete t.optimizer.rule],
  ];
  for (const [what, spoil] of broken) {
    const t = structuredClone(good);
    spoil(t);
    assert.equal(traceOf(t), null, what);
  }
});

test('weight images: layouts checked against their cells', () => {
  const lin = JSON.parse(
    JSON.stringify(
      weightImage(
        Float32Array.from({ length: 12 }, (_, i) => i),
        [3, 4],
      ),
    ),
  );
  assert.deepEqual(weightImageOf(lin), lin);
  assert.equal(weightImageOf({ ...lin, rows: 4 }), null, 'rows × cols must be the cells');
  const conv = JSON.parse(JSON.stringify(weightImage(new Float32Array(8 * 1 * 9), [8, 1, 3, 3])));
  assert.deepEqual(weightImageOf(conv), conv);
  assert.equal(weightImageOf({ ...conv, outChannels: 7 }), null, 'kernels × their size must be the cells');
  assert.equal(weightImageOf({ ...conv, layout: 'cube' }), null);
  assert.equal(paramImagesOf({ name: 'weight', key: 'fc.weight', value: lin, grad: { ...lin, max: 'big' } }), null);
  assert.deepEqual(paramImagesOf({ name: 'weight', key: 'fc.weight', value: lin }), { name: 'weight', key: 'fc.weight', value: lin });
});
