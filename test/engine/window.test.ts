// A windowed op's attributes mean one thing everywhere: OpSpec.window turns kernelSize, stride and padding (each a
// number or [h, w]) into pairs with the defaults applied, and the shape rule, forward, cost and both code targets read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, allOps, analyzeModel, getOp, maxPool2d, resolveAttrs, type TensorType } from '../../engine';

const windowOf = (op: string, given: Record<string, unknown>) => {
  const spec = getOp(op)!;
  return spec.window!(resolveAttrs(spec, given));
};

test('every op with a pair attribute declares its window, and no other op does', () => {
  for (const o of allOps()) {
    const hasPair = o.attrs.some((a) => a.type.kind === 'pair');
    assert.equal(
      typeof o.window === 'function',
      hasPair,
      `${o.op}: ${hasPair ? 'has pair attributes but no window' : 'declares a window without pair attributes'}`,
    );
  }
});

test('Conv2d: a number means a square; stride defaults to 1 and padding to 0, whatever the kernel', () => {
  assert.deepEqual(windowOf('Conv2d', { outChannels: 4, kernelSize: 3 }), { kernel: [3, 3], stride: [1, 1], padding: [0, 0] });
  assert.deepEqual(windowOf('Conv2d', { outChannels: 4, kernelSize: 5, stride: 2, padding: 1 }), { kernel: [5, 5], stride: [2, 2], padding: [1, 1] });
});

test('Conv2d: [h, w] pairs are kept in order', () => {
  assert.deepEqual(windowOf('Conv2d', { outChannels: 4, kernelSize: [3, 1], stride: [1, 2], padding: [0, 1] }), {
    kernel: [3, 1],
    stride: [1, 2],
    padding: [0, 1],
  });
});

for (const op of ['MaxPool2d', 'AvgPool2d']) {
  test(`${op}: without a stride the windows tile the input (stride = kernel), padding defaults to 0`, () => {
    assert.deepEqual(windowOf(op, { kernelSize: 2 }), { kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
    assert.deepEqual(windowOf(op, { kernelSize: [2, 3] }), { kernel: [2, 3], stride: [2, 3], padding: [0, 0] });
  });

  test(`${op}: a given stride and padding win over the defaults, as a number or [h, w]`, () => {
    assert.deepEqual(windowOf(op, { kernelSize: 3, stride: 1, padding: 1 }), { kernel: [3, 3], stride: [1, 1], padding: [1, 1] });
    assert.deepEqual(windowOf(op, { kernelSize: [4, 2], stride: [1, 2], padding: [2, 0] }), { kernel: [4, 2], stride: [1, 2], padding: [2, 0] });
  });

  test(`${op}: the shape rule reads the same window (default stride = kernel)`, () => {
    const spec = getOp(op)!;
    const x: TensorType = { shape: ['N', 3, 6, 9], dtype: 'float32' };
    // 6 rows in windows of 2 → 3; 9 columns in windows of 3 → 3.
    assert.deepEqual(spec.infer([x], resolveAttrs(spec, { kernelSize: [2, 3] })).shape, ['N', 3, 3, 3]);
    // Padding 1 each side: (6 + 2 − 2) / 1 + 1 = 7 rows, (9 + 2 − 3) / 2 + 1 = 5 columns.
    assert.deepEqual(spec.infer([x], resolveAttrs(spec, { kernelSize: [2, 3], stride: [1, 2], padding: 1 })).shape, ['N', 3, 7, 5]);
  });
}

test("a window error reads the same in the graph's diagnostics and from the op itself", () => {
  const model = (attrs: Record<string, unknown>, h: number) =>
    JSON.stringify({
      format: 'nn-graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Input', attrs: { shape: [1, h, h] } },
        { id: 'pool', op: 'MaxPool2d', attrs },
      ],
      edges: [{ from: 'x', to: 'pool' }],
    });
  const diagnostic = (attrs: Record<string, unknown>, h: number) =>
    analyzeModel(model(attrs, h))
      .errors.map((e) => e.message)
      .join('\n');
  const thrown = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  // Padding over half the kernel (PyTorch refuses it too).
  const tooMuchPadding = thrown(() => maxPool2d(Tensor.fromData(new Float32Array(16), [1, 1, 4, 4]), 2, 2, [2, 1]));
  assert.equal(tooMuchPadding, 'MaxPool2d: padding 2×1 must be at most half the kernel 2×2 (as in PyTorch)');
  assert.match(diagnostic({ kernelSize: 2, padding: [2, 1] }, 4), new RegExp(tooMuchPadding.replace(/[()]/g, '\\$&')));
  // A kernel larger than the input.
  const tooLarge = thrown(() => maxPool2d(Tensor.fromData(new Float32Array(4), [1, 1, 2, 2]), 3, 1, 0));
  assert.equal(tooLarge, 'MaxPool2d: kernel 3×3 (padding 0×0) does not fit the 2×2 input');
  assert.match(diagnostic({ kernelSize: 3, stride: 1 }, 2), new RegExp(tooLarge.replace(/[()]/g, '\\$&')));
});
