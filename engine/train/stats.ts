/**
 * What the live view shows of a training step besides the loss: per parameterised node, its parameters' gradient,
 * size and update (the overlay's modes and the depth profile); per node, summaries of its output and of the
 * gradient of the loss with respect to it (the node hover card). Everything is measured on the step the trainer
 * just took, from the engine's own recorded pass: nothing here recomputes backprop.
 */
import { ReadBatch, readScalars } from '../backend/readback';
import { backend, type Storage } from '../backend/backend';
import { currentWasmKernels } from '../backend/wasm/install';
import { HISTOGRAM_BINS, summarize as summarizeData, type TensorSummary } from '../backend/summary';
import type { ForwardPass, GraphModel } from '../graph/model';
import type { Tensor } from '../tensor';

/** One parameterised node's trainable tensors taken together (n values in all), at a step. */
export interface ParamStats {
  /** RMS of the parameter gradients: ‖∇θ‖ / √n. */
  gradRms: number;
  /** RMS of the parameters after the step: ‖θ‖ / √n. */
  weightRms: number;
  /** ‖θ_after − θ_before‖ / ‖θ_before‖ for this step's optimizer update (0 when ‖θ_before‖ is 0). */
  updateRatio: number;
}

export { HISTOGRAM_BINS, TINY_TENSOR, type TensorSummary } from '../backend/summary';

/** A node's output, and the gradient of the loss with respect to it (the sum over its outgoing edges). */
export interface NodeStats {
  /** The output's shape, batch included. */
  shape: number[];
  output?: TensorSummary;
  /** Absent for nodes no gradient reaches (Inputs, Targets, what only feeds a Target's side). */
  grad?: TensorSummary;
}

/**
 * Mean, population standard deviation, range and histogram of the finite values of host data (a non-finite value
 * is left out of every figure; `count` counts only the finite ones): the CPU backend's summary, in WebAssembly
 * where its kernels are installed.
 */
export function summarize(data: ArrayLike<number>, bins = HISTOGRAM_BINS): TensorSummary {
  return summarizeData(data, bins, currentWasmKernels);
}

/**
 * Per parameterised node, the statistics of the last optimizer step. `record()` is called just before the optimizer
 * updates the parameters: it keeps a copy of them and the gradients the step applies (one copy a step, the only
 * per-step cost). The sums are taken only when `stats()` is asked for (a few times a second), from that record and
 * the parameters as they are then: a later step that fails on a NaN/Inf changes no parameter and takes no record,
 * so they stay the last good step's.
 */
export class ParamStatsRecorder {
  private kept: Map<string, { before: Storage; grad: Tensor | null }> | null = null;
  private cached: Record<string, ParamStats> | null = null;
  /** The trainable parameters, looked up once: record() runs every step, so it allocates only the copies. */
  private readonly params: readonly (readonly [string, Tensor])[];

  constructor(private readonly model: GraphModel) {
    this.params = model.namedParameters();
  }

  record(): void {
    const b = backend();
    const kept = (this.kept ??= new Map());
    for (const [key, p] of this.params) kept.set(key, { before: b.copy(p.storage), grad: p.grad });
    this.cached = null;
  }

  /** Forget the record (a step taken without statistics): stats() is null until the next record. */
  clear(): void {
    this.kept = null;
    this.cached = null;
  }

  async stats(): Promise<Record<string, ParamStats> | null> {
    if (!this.kept) return null;
    if (this.cached) return this.cached;
    const b = backend();
    // Every sum of squares is reduced on the backend first, then all are read in one go (one round trip on a GPU).
    const sums: Storage[] = [];
    const squares = (s: Storage, size: number): number => sums.push(b.sumSquares(s, size)) - 1;
    const layers: { id: string; n: number; grad: number[]; weight: number[]; before: number[]; delta: number[] }[] = [];
    for (const id of this.model.order) {
      const params = this.model.nodes.get(id)!.params.filter((p) => !p.buffer);
      if (!params.length) continue;
      const layer = { id, n: 0, grad: [] as number[], weight: [] as number[], before: [] as number[], delta: [] as number[] };
      for (const { key } of params) {
        const p = this.model.state.get(key)!;
        const r = this.kept.get(key)!;
        layer.n += p.size;
        if (r.grad) layer.grad.push(squares(r.grad.storage, p.size));
        layer.weight.push(squares(p.storage, p.size));
        layer.before.push(squares(r.before, p.size));
        layer.delta.push(squares(b.axpby(p.storage, 1, r.before, -1, p.size), p.size));
      }
      layers.push(layer);
    }
    const values = await readScalars(sums);
    const total = (at: number[]) => at.reduce((s, k) => s + values[k], 0);
    const stats = Object.create(null) as Record<string, ParamStats>;
    for (const { id, n, grad, weight, before, delta } of layers) {
      const wasBefore = total(before);
      stats[id] = {
        gradRms: Math.sqrt(total(grad) / Math.max(1, n)),
        weightRms: Math.sqrt(total(weight) / Math.max(1, n)),
        updateRatio: wasBefore > 0 ? Math.sqrt(total(delta) / wasBefore) : 0,
      };
    }
    this.cached = stats;
    return stats;
  }
}

/**
 * Every node's output and the gradient arriving at it, from a pass whose backward recorded edge gradients: the
 * gradient of the loss with respect to a node's output is the sum of what its outgoing edges carried back (a loss
 * node's is 1). Nodes the pass did not run (a loss in inference) are left out. The sums and the summaries are
 * taken on the backend and read back together: on a GPU one read of a few hundred bytes a node.
 */
export async function nodeStatsOf(model: GraphModel, pass: ForwardPass): Promise<Record<string, NodeStats>> {
  const outgoing = new Map<string, number[]>();
  model.json.edges.forEach((e, i) => {
    const list = outgoing.get(e.from) ?? [];
    list.push(i);
    outgoing.set(e.from, list);
  });
  const losses = new Set(model.analysis.losses);
  const out = Object.create(null) as Record<string, NodeStats>;
  const reads = new ReadBatch();
  for (const id of model.order) {
    const value = pass.values.get(id);
    if (!value) continue;
    const stats: NodeStats = { shape: [...value.shape] };
    if (value.dtype === 'float32') reads.summary(value.storage, value.size, (s) => (stats.output = s));
    const grads = (outgoing.get(id) ?? []).flatMap((i) => (pass.edgeGrads.has(i) ? [pass.edgeGrads.get(i)!] : []));
    if (grads.length) reads.summary(sumOf(grads), grads[0].size, (s) => (stats.grad = s));
    else if (losses.has(id)) stats.grad = summarize([1]);
    out[id] = stats;
  }
  await reads.run();
  return out;
}

/** The sum of a node's outgoing edges' gradients, on the backend (one add per extra consumer). */
function sumOf(grads: Tensor[]): Storage {
  const b = backend();
  let total = grads[0].storage;
  for (const g of grads.slice(1)) total = b.axpby(total, 1, g.storage, 1, g.size);
  return total;
}
