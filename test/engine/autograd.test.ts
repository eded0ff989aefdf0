import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, add, mul, relu, sum, tanh, noGrad, pow, div, sub, neg, exp } from '../../engine';

const scalarT = (v: number) => Tensor.fromData([v], [], 'float32', true);

test('micrograd example: known gradients derived by hand', () => {
  // a = -4, b = 2; c = a + b; d = a*b + b^3; e = c - d; f = e^2; g = f / 2 + 10 / f ... micrograd's README expression, trimmed:
  // y = relu(a*b + b^3) ... here a smaller hand-checkable one:
  // z = (a*b + b^3) * tanh(a*0)  is dull; use f = (a*b + b^2) with a = -4, b = 2:
  // df/da = b = 2; df/db = a + 2b = 0.
  const a = scalarT(-4),
    b = scalarT(2);
  const f = add(mul(a, b), pow(b, 2));
  f.backward();
  assert.equal(f.itemSync(), -4);
  assert.equal(a.grad!.itemSync(), 2);
  assert.equal(b.grad!.itemSync(), 0);
});

test('gradients accumulate where a tensor is used twice', () => {
  const x = scalarT(3);
  const y = mul(x, x); // dy/dx = 2x = 6
  const z = add(y, x); // dz/dx = 7
  z.backward();
  assert.equal(x.grad!.itemSync(), 7);
});

test('micrograd README expression matches its published gradients', () => {
  // From micrograd's README: a = -4, b = 2 ... g = f / 2.0 + 10.0 / f; g = 24.7041, dg/da = 138.8338, dg/db = 645.5773
  const a = scalarT(-4),
    b = scalarT(2);
  const c0 = add(a, b);
  const d0 = add(mul(a, b), pow(b, 3));
  const c1 = add(add(c0, c0), Tensor.fromData([1], []));
  const c = add(add(add(c1, c1), Tensor.fromData([1], [])), neg(a));
  const d1 = add(add(d0, mul(d0, Tensor.fromData([2], []))), relu(add(b, a)));
  const d = add(add(d1, mul(Tensor.fromData([3], []), d1)), relu(sub(b, a)));
  const e = sub(c, d);
  const f = pow(e, 2);
  const g = add(div(f, Tensor.fromData([2], [])), div(Tensor.fromData([10], []), f));
  g.backward();
  assert.ok(Math.abs(g.itemSync() - 24.7041) < 1e-3);
  assert.ok(Math.abs(a.grad!.itemSync() - 138.8338) < 1e-2);
  assert.ok(Math.abs(b.grad!.itemSync() - 645.5773) < 1e-2);
});

test('noGrad records nothing and detach cuts the graph', () => {
  const x = scalarT(2);
  const y = noGrad(() => exp(x));
  assert.equal(y.requiresGrad, false);
  const z = mul(x.detach(), x);
  z.backward();
  assert.equal(x.grad!.itemSync(), 2);
});

test('zeroGrad clears accumulated gradients', () => {
  const x = scalarT(1);
  tanh(x).backward();
  assert.ok(x.grad);
  x.zeroGrad();
  assert.equal(x.grad as unknown, null);
  const s = sum(mul(x, Tensor.fromData([5], [])));
  s.backward();
  assert.equal((x.grad as Tensor | null)!.itemSync(), 5);
});

test('a second backward through a freed graph is refused; retainGraph allows it', () => {
  const x = scalarT(2);
  const y = mul(x, x);
  y.backward();
  assert.throws(() => y.backward(), /second time/);
  const z = mul(x, x);
  x.zeroGrad();
  z.backward(undefined, { retainGraph: true });
  z.backward();
  assert.equal((x.grad as Tensor | null)!.itemSync(), 8);
});
