import { backend, type Storage } from '../backend/backend';
import { readNow } from '../backend/readback';
import type { Tensor } from '../tensor';
import { Optimizer, type OptimizerState } from './optimizer';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

interface State {
  step: number;
  m: Storage;
  v: Storage;
}

/** torch.optim.Adam (weight decay added to the gradient) and, with decoupled, torch.optim.AdamW. */
export class Adam extends Optimizer {
  private readonly state = new Map<Tensor, State>();
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected decoupled = false;

  constructor(params: readonly Tensor[], options: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params);
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultWeightDecay;
  }

  describe(): { name: string; rule: string } {
    const [b1, b2] = this.betas;
    const wd = this.weightDecay;
    const name = `${this.decoupled ? 'AdamW' : 'Adam'}, lr ${this.lr}${wd ? `, weight decay ${wd}` : ''}`;
    const g = !this.decoupled && wd ? `(g + ${wd}·θ)` : 'g';
    const moments = `m ← ${b1}·m + ${+(1 - b1).toFixed(6)}·${g};  v ← ${b2}·v + ${+(1 - b2).toFixed(6)}·${g}²`;
    const decay = this.decoupled && wd ? `θ·(1 − lr·${wd})` : 'θ';
    return { name, rule: `${moments};  θ ← ${decay} − lr · m̂ / (√v̂ + ε), m̂, v̂ bias-corrected` };
  }

  step(): void {
    for (const p of this.params) {
      if (!p.grad) continue;
      let s = this.state.get(p);
      if (!s) {
        s = { step: 0, m: backend().zeros(p.size, 'float32'), v: backend().zeros(p.size, 'float32') };
        this.state.set(p, s);
      }
      s.step++;
      backend().adamStep(p.storage, p.grad.storage, s.m, s.v, p.size, {
        lr: this.lr,
        beta1: this.betas[0],
        beta2: this.betas[1],
        eps: this.eps,
        weightDecay: this.weightDecay,
        decoupled: this.decoupled,
        step: s.step,
      });
    }
  }

  exportState(): Promise<OptimizerState> {
    const reads = this.params.map((p) => {
      const s = this.state.get(p);
      return s ? { step: s.step, m: readNow(s.m), v: readNow(s.v) } : null;
    });
    // Awaited together: one that fails (a lost GPU) fails the whole, and none is left unhandled.
    return Promise.all(reads.flatMap((r) => (r ? [r.m, r.v] : []))).then((data) => {
      let i = 0;
      return { kind: 'Adam', params: reads.map((r) => (r ? { step: r.step, buffers: { m: data[i++], v: data[i++] } } : null)) };
    });
  }

  importState(state: OptimizerState): void {
    this.checkState(state, 'Adam', ['m', 'v']);
    this.state.clear();
    state.params.forEach((e, i) => {
      if (e) this.state.set(this.params[i], { step: e.step ?? 0, m: backend().upload(e.buffers.m), v: backend().upload(e.buffers.v) });
    });
  }
}

/** torch.optim.AdamW: p ← p·(1 − lr·wd) before the Adam step; weightDecay defaults to 0.01. */
export class AdamW extends Adam {
  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, options, 0.01);
    this.decoupled = true;
  }
}
