// Input features of the 2-D sets (engine/data/features.ts, training.dataset.inputFeatures): the values, the
// checks of the key (names, the dataset it is used with, the Input's size) and the dataset built with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphModel, analyzeModel, buildDataset, computeFeatures, featureTransform, playgroundPoints, readDatasetSpec, readInputFeatures } from '../../engine';

function model(dataset: Record<string, unknown>, inputShape: number[] = [3], extra: Record<string, unknown> = {}) {
  return {
    format: 'nn-graph',
    version: 1,
    nodes: [
      { id: 'pts', op: 'Input', attrs: { shape: inputShape } },
      { id: 'fc', op: 'Linear', attrs: { outFeatures: 2 } },
      { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    edges: [
      { from: 'pts', to: 'fc' },
      { from: 'fc', to: 'loss' },
      { from: 'y', to: 'loss', port: 1 },
    ],
    training: { seed: 3, dataset },
    ...extra,
  };
}

const f32 = Math.fround;

test('each feature of a point, by its formula', () => {
  const xy = new Float32Array([2, -3, 0.5, 0.25]);
  const all = ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'];
  const got = computeFeatures(xy, 2, all);
  assert.deepEqual([...got.subarray(0, 7)], [2, -3, 4, 9, -6, f32(Math.sin(2)), f32(Math.sin(-3))]);
  assert.deepEqual([...got.subarray(7)], [0.5, 0.25, 0.25, 0.0625, 0.125, f32(Math.sin(0.5)), f32(Math.sin(0.25))]);
  // The order is the list's.
  assert.deepEqual([...computeFeatures(xy, 2, ['x1*x2', 'x1'])], [-6, 2, 0.125, 0.5]);
});

test('a sound list is accepted: the Input takes k values', () => {
  const a = analyzeModel(model({ source: 'xor', inputFeatures: ['x1', 'x2', 'x1*x2'] }));
  assert.deepEqual(a.errors, []);
  assert.deepEqual(readInputFeatures({ dataset: { source: 'xor', inputFeatures: ['x1*x2'] } }), ['x1*x2']);
  assert.equal(readInputFeatures({ dataset: { source: 'xor' } }), null, 'absent: the raw point');
  assert.equal(featureTransform({ dataset: { source: 'xor' } }), null);
  const t = featureTransform({ dataset: { source: 'circle', inputFeatures: ['x2^2', 'x1'] } })!;
  assert.deepEqual([...t(new Float32Array([3, -2]), 1)], [4, 3]);
});

test('an Input whose size disagrees with the features is a validation error naming the Input and the key', () => {
  const a = analyzeModel(model({ source: 'circle', inputFeatures: ['x1', 'x2', 'sin(x1)'] }, [2]));
  assert.equal(a.errors.length, 1, JSON.stringify(a.errors));
  const e = a.errors[0];
  assert.equal(e.code, 'bad-training');
  assert.equal(e.nodeId, 'pts');
  assert.equal(e.key, 'training.dataset.inputFeatures');
  assert.match(
    e.message,
    /Input "pts" is float32 \[2\] but training\.dataset\.inputFeatures gives it 3 float32 values per sample \(x1, x2, sin\(x1\)\): set its shape to \[3\]/,
  );
  // The binding names the Input when there are several.
  const two = model({ source: 'circle', input: 'other', inputFeatures: ['x1'] }, [1]);
  two.nodes.push({ id: 'other', op: 'Input', attrs: { shape: [4] } });
  const b = analyzeModel(two);
  assert.ok(
    b.errors.some((x) => x.nodeId === 'other' && /set its shape to \[1\]/.test(x.message)),
    JSON.stringify(b.errors),
  );
});

test('unknown or repeated names, and datasets other than the 2-D sets, are refused naming the key', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { source: 'xor', inputFeatures: ['x1', 'x3'] },
      /training\.dataset\.inputFeatures\[1\] "x3" is not an input feature: use x1, x2, x1\^2, x2\^2, x1\*x2, sin\(x1\), sin\(x2\)/,
    ],
    [{ source: 'xor', inputFeatures: ['x1', 'x2', 'x1'] }, /training\.dataset\.inputFeatures\[2\] repeats "x1" \(already at \[0\]\)/],
    [{ source: 'xor', inputFeatures: [] }, /training\.dataset\.inputFeatures must be a non-empty list of feature names/],
    [{ source: 'xor', inputFeatures: 'x1' }, /must be a non-empty list/],
    [
      { source: 'csv', path: 'a.csv', label: 'y', inputFeatures: ['x1', 'x2', 'x1^2'] },
      /training\.dataset\.inputFeatures applies only to the generated 2-D sets \(circle, xor, gaussians, spiral, regress-plane, regress-gaussians\), not to the "csv" dataset: remove it/,
    ],
    [{ source: 'digits', inputFeatures: ['x1', 'x2', 'x1^2'] }, /not to the "digits" dataset/],
  ];
  for (const [dataset, want] of cases) {
    const a = analyzeModel(model(dataset));
    assert.ok(
      a.errors.some((e) => e.key === 'training.dataset.inputFeatures' && want.test(e.message)),
      `${JSON.stringify(dataset)}: ${JSON.stringify(a.errors)}`,
    );
    const { spec, problems } = readDatasetSpec({ dataset });
    assert.equal(spec, null);
    assert.ok(
      problems.some((p) => want.test(p)),
      `readDatasetSpec ${JSON.stringify(dataset)}: ${problems}`,
    );
  }
});

test('the dataset feeds the features of its points; the raw points are kept for drawing', () => {
  const json = model({ source: 'xor', size: 50, inputFeatures: ['x1', 'x1*x2', 'sin(x2)'] });
  const m = GraphModel.create(JSON.stringify(json));
  const d = buildDataset(m, readDatasetSpec(json.training).spec!);
  assert.deepEqual(d.inputShape, [3]);
  const pts = playgroundPoints('xor', 50, 0, 3);
  assert.deepEqual(d.raw, pts.x);
  for (let i = 0; i < d.n; i++) {
    const x1 = pts.x[2 * i],
      x2 = pts.x[2 * i + 1];
    assert.deepEqual([...d.inputs.subarray(3 * i, 3 * i + 3)], [x1, f32(x1 * x2), f32(Math.sin(x2))], `row ${i}`);
  }
  // Without the key the Input gets the raw point, as before.
  const plain = model({ source: 'xor', size: 50 }, [2]);
  const d2 = buildDataset(GraphModel.create(JSON.stringify(plain)), readDatasetSpec(plain.training).spec!);
  assert.deepEqual(d2.inputs, pts.x);
});
