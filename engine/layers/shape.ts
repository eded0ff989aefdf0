import { registerOp, fail, failDtype } from '../graph/registry';
import { formatType, type Dim } from '../graph/types';
import { concat, flatten, reshape, resolveReshape } from '../ops/shape';
import { dimOf, needBatched } from './common';
import { sizeExpr } from '../codegen/lowering';
import * as py from '../codegen/pytorch/lowering';
import * as onnx from '../codegen/onnx/lowering';
import { num } from '../codegen/header';
import { normDim } from '../shape';

/** Reshapes are views and Concat copies (its backward slices): no arithmetic either way. */
const noArithmetic = () => ({ forward: 0, backward: 0 });

registerOp({
  op: 'Flatten',
  category: 'Layers',
  summary: 'All dimensions after the batch into one.',
  formula: 'y = x.reshape(N, −1)',
  formulaNote: 'row-major',
  backwardNote: '∂ℓ/∂x = g reshaped to x’s shape',
  attrs: [],
  inputs: { ports: ['input'] },
  infer([x]) {
    needBatched(x, 0, 'Flatten');
    const rest = x.shape.slice(1);
    if (rest.includes('N')) fail(`Flatten: the batch dimension may only lead, found ${formatType(x)}`);
    return { shape: ['N', (rest as number[]).reduce((p, d) => p * d, 1)], dtype: x.dtype };
  },
  forward: ([x]) => flatten(x),
  flops: noArithmetic,
  lower: {
    engine: ({ xs: [x] }) => `bp.flatten(${x})`,
    // Row-major storage: the standalone module's flat array is already flattened.
    standalone: ({ xs: [x] }) => ({ expr: x.name }),
    // reshape rather than torch.flatten: a [N] input becomes [N, 1], as the engine's Flatten makes it.
    pytorch: { forward: (_n, { xs: [x] }) => `${x}.reshape(${x}.shape[0], -1)` },
    onnx: (_n, [{ name: x }], e) => e.result('Flatten', [x], { axis: onnx.int(1) }),
  },
});

registerOp({
  op: 'Reshape',
  category: 'Layers',
  summary: 'Same values, new shape (without the batch; one -1 is inferred).',
  formula: 'y = x.reshape(N, *shape)',
  formulaNote: 'row-major',
  backwardNote: '∂ℓ/∂x = g reshaped to x’s shape',
  attrs: [{ name: 'shape', type: { kind: 'shape', allowMinusOne: true }, doc: 'Target shape without the batch dimension; one entry may be -1.' }],
  inputs: { ports: ['input'] },
  keyAttrs: ['shape'],
  infer([x], a) {
    needBatched(x, 0, 'Reshape');
    const rest = x.shape.slice(1);
    if (rest.includes('N')) fail(`Reshape: the batch dimension may only lead, found ${formatType(x)}`);
    const r = resolveReshape(rest as number[], a.shape as number[]);
    if (typeof r === 'string') fail(`Reshape: ${r}`);
    return { shape: ['N', ...(r as number[])], dtype: x.dtype };
  },
  forward: ([x], a) => reshape(x, [x.shape[0], ...(a.shape as number[])]),
  flops: noArithmetic,
  lower: {
    engine: ({ node, xs: [x] }) => `bp.reshape(${x}, [${[`${x}.shape[0]`, ...(node.attrs.shape as number[]).map(num)].join(', ')}])`,
    standalone: ({ xs: [x] }) => ({ expr: x.name }),
    pytorch: { forward: (n, { xs: [x] }) => `${x}.reshape(${[`${x}.shape[0]`, ...(n.attrs.shape as number[]).map(py.pyNum)].join(', ')})` },
    // 0 copies the batch from the input, so the batch stays dynamic; one -1 is inferred as in the format.
    onnx: (n, [{ name: x }], e) => {
      const shape = n.attrs.shape as number[];
      return e.result('Reshape', [x, e.constant('shape', 'int64', [shape.length + 1], [0, ...shape])]);
    },
  },
});

registerOp({
  op: 'Concat',
  category: 'Merge',
  summary: 'Joins two or more tensors along a dimension, in port order.',
  formula: 'y = cat([x₀, x₁, …], dim)',
  backwardNote: '∂ℓ/∂xₖ = the slice of g that xₖ filled, along dim',
  attrs: [{ name: 'dim', type: { kind: 'dim' }, default: -1, doc: 'Dimension to join along (0 is the batch; negative counts from the end).' }],
  inputs: { variadic: 'input', min: 2 },
  keyAttrs: ['dim'],
  infer(xs, a) {
    const first = xs[0];
    const d = dimOf(first, a.dim as number, 'Concat');
    let total: Dim = 0;
    xs.forEach((x, i) => {
      if (x.dtype !== first.dtype) failDtype(`Concat: input ${i} is ${x.dtype} but input 0 is ${first.dtype}`, i);
      if (x.shape.length !== first.shape.length || x.shape.some((v, j) => j !== d && v !== first.shape[j])) {
        fail(`Concat: input ${i} ${formatType(x)} does not match input 0 ${formatType(first)} outside dim ${a.dim}`, i);
      }
      const v = x.shape[d];
      total = total === 'N' || v === 'N' ? fail('Concat: cannot join along the batch dimension N', i) : (total as number) + v;
    });
    return { shape: first.shape.map((v, j) => (j === d ? total : v)), dtype: first.dtype };
  },
  forward: (xs, a) => concat(xs, a.dim as number),
  flops: noArithmetic,
  lower: {
    engine: ({ node, xs }) => `bp.concat([${xs.join(', ')}], ${num(node.attrs.dim as number)})`,
    standalone: ({ node, xs, out }) => {
      const shape = xs[0].type.shape;
      const d = normDim(node.attrs.dim as number, shape.length)!;
      const ctor = out.dtype === 'int32' ? 'Int32Array' : 'Float32Array';
      return { expr: `concat(new ${ctor}(${sizeExpr(out.shape)}), [${xs.map((v) => v.name).join(', ')}], ${sizeExpr(shape.slice(0, d))})`, kernel: 'concat' };
    },
    pytorch: { forward: (n, { xs }) => `torch.cat([${xs.join(', ')}], dim=${py.pyNum(n.attrs.dim as number)})` },
    onnx: (n, xs, e) =>
      e.result(
        'Concat',
        xs.map((x) => x.name),
        { axis: onnx.int(normDim(n.attrs.dim as number, n.type!.shape.length)!) },
      ),
  },
});
