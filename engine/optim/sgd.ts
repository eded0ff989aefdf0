import { backend, type Storage } from '../backend/backend';
import { readNow } from '../backend/readback';
import type { Tensor } from '../tensor';
import { Optimizer, type OptimizerState } from './optimizer';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD: g += wd·p; buf = μ·buf + (1−τ)·g (buf = g at first); g = nesterov ? g + μ·buf : buf; p −= lr·g. */
export class SGD extends Optimizer {
  private readonly buffers = new Map<Tensor, Storage>();
  readonly options: Required<SgdOptions>;

  constructor(params: readonly Tensor[], options: SgdOptions) {
    super(params);
    // `??`, not an object spread: an option passed as undefined ({ momentum: cfg.momentum }) takes its default.
    this.options = {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
    };
    if (this.options.nesterov && (this.options.momentum <= 0 || this.options.dampening !== 0)) {
      throw new Error('SGD: nesterov momentum requires a momentum and zero dampening');
    }
  }

  describe(): { name: string; rule: string } {
    const o = this.options;
    const decay = o.weightDecay ? ` + ${o.weightDecay}·θ` : '';
    const name = `SGD, lr ${o.lr}${o.momentum ? `, momentum ${o.momentum}${o.nesterov ? ' (Nesterov)' : ''}` : ''}${o.weightDecay ? `, weight decay ${o.weightDecay}` : ''}`;
    if (!o.momentum) return { name, rule: `θ ← θ − lr · (g${decay})` };
    const v = o.dampening ? `μ·v + (1 − ${o.dampening})·(g${decay})` : `μ·v + g${decay}`;
    return { name, rule: `v ← ${v};  θ ← θ − lr · ${o.nesterov ? `(g${decay} + μ·v)` : 'v'}` };
  }

  step(): void {
    const o = this.options;
    for (const p of this.params) {
      if (!p.grad) continue;
      let buf: Storage | null = null;
      let first = false;
      if (o.momentum !== 0) {
        buf = this.buffers.get(p) ?? null;
        if (!buf) {
          buf = backend().zeros(p.size, 'float32');
          this.buffers.set(p, buf);
          first = true;
        }
      }
      backend().sgdStep(p.storage, p.grad.storage, buf, p.size, { ...o, first });
    }
  }

  exportState(): Promise<OptimizerState> {
    const reads = this.params.map((p) => {
      const buf = this.buffers.get(p);
      return buf ? readNow(buf) : Promise.resolve(null);
    });
    return Promise.all(reads).then((data) => ({ kind: 'SGD', params: data.map((m) => (m ? { buffers: { momentum: m } } : null)) }));
  }

  importState(state: OptimizerState): void {
    this.checkState(state, 'SGD', ['momentum']);
    this.buffers.clear();
    state.params.forEach((e, i) => {
      if (e) this.buffers.set(this.params[i], backend().upload(e.buffers.momentum));
    });
  }
}
