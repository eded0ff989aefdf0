// The optimizers' updates in place, PyTorch's rules as the CPU backend's TypeScript sgdStep and adamStep have
// them, in float32 (the TypeScript loops compute in float64 and round once: the results differ by an ulp).
import { madd } from './simd';

/** SGD with optional weight decay, momentum (buf != 0), dampening and Nesterov; p and buf updated in place. */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, oneMinusDampening: f32, wd: f32, nesterov: bool, first: bool): void {
  const nlr = f32x4.splat(-lr);
  let i = 0;
  if (buf == 0 && wd == 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(p + o, madd(nlr, v128.load(g + o), v128.load(p + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(p + o, load<f32>(p + o) - lr * load<f32>(g + o));
    }
    return;
  }
  const wdv = f32x4.splat(wd), mom = f32x4.splat(momentum), damp = f32x4.splat(oneMinusDampening);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    // wd = 0 adds nothing (not 0·p, which is NaN for an infinite p), as the TypeScript kernel.
    let d = wd != 0 ? madd(wdv, pv, v128.load(g + o)) : v128.load(g + o);
    if (buf != 0) {
      const b = first ? d : madd(mom, v128.load(buf + o), f32x4.mul(damp, d));
      v128.store(buf + o, b);
      d = nesterov ? madd(mom, b, d) : b;
    }
    v128.store(p + o, madd(nlr, d, pv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = wd != 0 ? load<f32>(g + o) + wd * pv : load<f32>(g + o);
    if (buf != 0) {
      const b = first ? d : momentum * load<f32>(buf + o) + oneMinusDampening * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * d);
  }
}

/**
 * Adam / AdamW: m, v and p in place. stepSize = lr / (1 − β1^t), bc2Sqrt = √(1 − β2^t), decay = 1 − lr·wd for
 * AdamW; the JavaScript side computes these and 1 − β in float64 (1 − 0.999 in float32 is 5e-5 off). p −= stepSize·m / (√v / bc2Sqrt + eps).
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32, oneMinusBeta1: f32, oneMinusBeta2: f32, eps: f32, wd: f32, decoupled: bool, stepSize: f32, bc2Sqrt: f32, decay: f32): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), c1 = f32x4.splat(oneMinusBeta1), c2 = f32x4.splat(oneMinusBeta2);
  const wdv = f32x4.splat(decoupled ? 0 : wd), dec = f32x4.splat(decoupled ? decay : 1);
  const epsv = f32x4.splat(eps), bc2 = f32x4.splat(bc2Sqrt), ss = f32x4.splat(stepSize);
  const coupled = !decoupled && wd != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = f32x4.mul(v128.load(p + o), dec);
    const d = coupled ? madd(wdv, pv, v128.load(g + o)) : v128.load(g + o);
    const mv = madd(b1, v128.load(m + o), f32x4.mul(c1, d));
    const vv = madd(b2, v128.load(v + o), f32x4.mul(c2, f32x4.mul(d, d)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), bc2), epsv);
    v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(ss, mv), denom)));
  }
  const wdS: f32 = decoupled ? 0 : wd, decS: f32 = decoupled ? decay : 1;
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o) * decS;
    const d = coupled ? load<f32>(g + o) + wdS * pv : load<f32>(g + o);
    const mv = beta1 * load<f32>(m + o) + oneMinusBeta1 * d;
    const vv = beta2 * load<f32>(v + o) + oneMinusBeta2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, pv - (stepSize * mv) / (sqrt<f32>(vv) / bc2Sqrt + eps));
  }
}
