/**
 * The trace of one real training step, for the step walk-through: what each graph node computed in the forward
 * pass (in the compiled order), what each one's backward received and sent on (in the order the backward ran,
 * grouped by the graph node whose forward recorded each op of the tape), the gradient every edge carried, and what
 * the optimizer did to every parameter. Nothing here recomputes anything: the trainer takes its ordinary step
 * (Trainer.trainStep) with observers on the forward pass, the backward pass and the moment before the update,
 * and the trace is read from what they saw. Sizes are capped (TraceLimits): every tensor gets a summary; tiny ones
 * their values; images only within a budget, so a large model's trace is summaries only. What is read back is what
 * the trace shows: the summaries, reduced on the backend and read together; an output heatmap's first rows; the
 * parameters (before, gradient, after) whose images fit the budget.
 */
import { backend, type Storage } from '../backend/backend';
import { ReadBatch } from '../backend/readback';
import type { BackwardEvent, GradNode } from '../autograd';
import type { ForwardPass, GraphModel } from '../graph/model';
import type { Tensor } from '../tensor';
import { summarize, type TensorSummary } from './stats';
import { weightImage, weightImageCells, type WeightImage } from './weightImage';

export interface TraceLimits {
  /** Primitive ops of the tape listed per graph node (the rest are counted). */
  primitives: number;
  /** A 2-D output's heatmap: its first heatmapRows rows (samples of the batch), its columns averaged down to at most heatmapCols. */
  heatmapRows: number;
  heatmapCols: number;
  /** Cells of every image in the trace together (output heatmaps, weight images); past it, summaries only. */
  imageCells: number;
}

export const TRACE_LIMITS: TraceLimits = { primitives: 32, heatmapRows: 32, heatmapCols: 64, imageCells: 120_000 };

/** A 2-D tensor [rows, cols] as a grid: its first `rows` rows, each cell the mean of `colBlock` adjacent columns. */
export interface Heatmap {
  rows: number;
  cols: number;
  colBlock: number;
  /** The tensor's own size. */
  sourceRows: number;
  sourceCols: number;
  values: number[];
}

/** A node's output in the forward pass. */
export interface ForwardTrace {
  node: string;
  op: string;
  shape: number[];
  /** Absent for integer values (class indices). */
  output?: TensorSummary;
  heatmap?: Heatmap;
  ms: number;
}

/** One op of the tape, as its backward ran. */
export interface PrimitiveTrace {
  op: string;
  /** Shapes of its inputs, in order. */
  inputs: number[][];
  /** Shape of its output (and of the gradient it received). */
  output: number[];
  /** The gradient it received, ∂ℓ/∂(its output). */
  gradOut: TensorSummary;
  ms: number;
}

/** The gradient one input port of a node sent back along its edge. */
export interface InputGradTrace {
  port: number;
  /** Index of the edge in the model's edges. */
  edge: number;
  from: string;
  shape: number[];
  /** Absent when no gradient went back (the source is fed, or nothing it depends on is trained). */
  grad?: TensorSummary;
}

export interface ParamGradTrace {
  key: string;
  name: string;
  shape: number[];
  /** ∂ℓ/∂θ as the optimizer applies it (penalties such as training.l1 included). */
  grad?: TensorSummary;
}

/** One graph node's chain-rule step in the backward pass. */
export interface BackwardTrace {
  node: string;
  op: string;
  /** The op's local derivative, from its registry declaration (OpSpec.backwardNote). */
  derivative?: string;
  /** The output's shape, and of ∂ℓ/∂y. */
  shape: number[];
  /** ∂ℓ/∂y, the gradient that came in: the sum of what its consumers sent back (1 for the loss). */
  gradOut: TensorSummary;
  /** The outgoing edges whose gradients summed to gradOut (none for a loss). */
  consumers: number[];
  inputs: InputGradTrace[];
  params: ParamGradTrace[];
  /** The tape's ops this node recorded, in the order their backward ran (the edges' identity taps left out). */
  primitives: PrimitiveTrace[];
  /** Primitives past TraceLimits.primitives, not listed. */
  primitivesOmitted: number;
  ms: number;
}

export interface EdgeTrace {
  index: number;
  from: string;
  to: string;
  port: number;
  shape: number[];
  /** The gradient the edge carried back from `to` to `from` (absent when none did). */
  grad?: TensorSummary;
}

export interface ParamUpdateTrace {
  key: string;
  name: string;
  shape: number[];
  before: TensorSummary;
  after: TensorSummary;
  /** after − before. */
  delta: TensorSummary;
  /** The values before, the gradient, and the values after, as heatmaps (within the image budget). */
  images?: { before: WeightImage; grad?: WeightImage; after: WeightImage };
}

export interface UpdateTrace {
  node: string;
  op: string;
  params: ParamUpdateTrace[];
}

export interface StepTrace {
  /** The step taken, 1-based, and its epoch (0-based). */
  step: number;
  epoch: number;
  loss: number;
  batchSize: number;
  optimizer: { name: string; rule: string };
  /** The values fed: Inputs and Targets. */
  feeds: ForwardTrace[];
  /** Every computed node, in the compiled order (GraphModel.order without the fed nodes). */
  forward: ForwardTrace[];
  /** Every node the gradient reached, in the order its backward ran. */
  backward: BackwardTrace[];
  /** Ops of the backward that belong to no graph node: the sum of several losses, a penalty such as training.l1. */
  outside: PrimitiveTrace[];
  /** Every edge of the model, by index. */
  edges: EdgeTrace[];
  /** Every parameterised node, in forward order. */
  update: UpdateTrace[];
  limits: TraceLimits;
  /** What the limits left out, in words. */
  omitted: string[];
}

/** What one step's observers collect, for Trainer.trainStep's `observe`. */
export interface StepObserver {
  forward(nodeId: string, output: Tensor, ms: number): void;
  backward(event: BackwardEvent): void;
  /** The gradients are final; the optimizer has not yet updated the parameters. */
  beforeUpdate(pass: ForwardPass): void;
}

interface Seen {
  op: string;
  scope: string | undefined;
  inputs: number[][];
  output: number[];
  /** Summarised at once where the backend reads synchronously (the CPU), so the step's gradients are not all kept. */
  gradOut: Tensor | TensorSummary;
  ms: number;
}

/** A tensor's summary now, where its memory is host-visible; else the tensor, to be read after the step. */
function summaryNow(t: Tensor): Tensor | TensorSummary {
  const data = backend().readSync(t.storage);
  return data ? summarize(data) : t;
}

/** What a summary field holds until the trace's reads have run. */
const PENDING: TensorSummary = Object.freeze({ count: 0, mean: 0, std: 0, min: 0, max: 0, histogram: [] }) as TensorSummary;

/** Collects one step's events (cheap: references and one copy of each parameter), then builds the trace. */
export class StepRecorder implements StepObserver {
  private readonly forwardSeen: { node: string; output: Tensor; ms: number }[] = [];
  /** The op that produced each node's output: its backward receives the node's ∂ℓ/∂y. */
  private readonly outputOps = new Map<GradNode, string>();
  private readonly events: Seen[] = [];
  private readonly gradOut = new Map<string, Tensor | TensorSummary>();
  private pass: ForwardPass | null = null;
  private readonly before = new Map<string, Storage>();
  private readonly grads = new Map<string, Tensor | null>();
  private cells = 0;
  private readonly omitted = new Set<string>();

  constructor(
    private readonly model: GraphModel,
    private readonly limits: TraceLimits = TRACE_LIMITS,
  ) {}

  forward(nodeId: string, output: Tensor, ms: number): void {
    this.forwardSeen.push({ node: nodeId, output, ms });
    if (output.gradFn) this.outputOps.set(output.gradFn, nodeId);
  }

  backward(e: BackwardEvent): void {
    const owner = this.outputOps.get(e.node);
    const gradOut = summaryNow(e.gradOutput);
    if (owner !== undefined && !this.gradOut.has(owner)) this.gradOut.set(owner, gradOut);
    this.events.push({
      op: e.node.op,
      scope: e.node.scope,
      inputs: e.node.inputs.map((t) => [...t.shape]),
      output: [...e.gradOutput.shape],
      gradOut,
      ms: e.ms,
    });
  }

  beforeUpdate(pass: ForwardPass): void {
    this.pass = pass;
    const b = backend();
    for (const [key, p] of this.model.namedParameters()) {
      this.before.set(key, b.copy(p.storage));
      this.grads.set(key, p.grad);
    }
  }

  /** The trace, once the step is done (the parameters updated). */
  async build(taken: { step: number; epoch: number; loss: number; samples: number }, optimizer: { name: string; rule: string }): Promise<StepTrace> {
    const pass = this.pass;
    if (!pass) throw new Error('internal: the step ended before its update');
    const model = this.model;
    const edges = model.json.edges;
    const trace: StepTrace = {
      step: taken.step,
      epoch: taken.epoch,
      loss: taken.loss,
      batchSize: taken.samples,
      optimizer,
      feeds: [],
      forward: [],
      backward: [],
      outside: [],
      edges: [],
      update: [],
      limits: this.limits,
      omitted: [],
    };
    // Every field read from the backend is asked for here and filled in when the reads run, at the end.
    const reads = new ReadBatch();
    const summary = (s: Tensor | TensorSummary, put: (s: TensorSummary) => void) => ('storage' in s ? reads.summary(s.storage, s.size, put) : put(s));

    for (const id of model.order) {
      const spec = model.nodes.get(id)!.spec!;
      const fed = pass.values.get(id);
      if (spec.isSource && fed) trace.feeds.push(this.valueTrace(id, spec.op, fed, 0, reads));
    }
    for (const f of this.forwardSeen) trace.forward.push(this.valueTrace(f.node, model.nodes.get(f.node)!.spec!.op, f.output, f.ms, reads));

    // Per graph node, in the order its first op's backward ran.
    const groups = new Map<string, Seen[]>();
    for (const e of this.events) {
      if (e.scope === undefined) {
        trace.outside.push(this.primitive(e, summary));
        continue;
      }
      const list = groups.get(e.scope) ?? [];
      list.push(e);
      groups.set(e.scope, list);
    }
    const outgoing = new Map<string, number[]>();
    edges.forEach((e, i) => outgoing.set(e.from, [...(outgoing.get(e.from) ?? []), i]));
    for (const [id, seen] of groups) {
      const info = model.nodes.get(id)!;
      const g = this.gradOut.get(id);
      const value = pass.values.get(id);
      const listed = seen.filter((e) => e.op !== 'Tap');
      const step: BackwardTrace = {
        node: id,
        op: info.spec!.op,
        ...(info.spec!.backwardNote ? { derivative: info.spec!.backwardNote } : {}),
        shape: value ? [...value.shape] : [],
        gradOut: g ? PENDING : summarize([]),
        consumers: (outgoing.get(id) ?? []).filter((i) => pass.edgeGrads.has(i)),
        inputs: [],
        params: [],
        primitives: [],
        primitivesOmitted: Math.max(0, listed.length - this.limits.primitives),
        ms: seen.reduce((s, e) => s + e.ms, 0),
      };
      if (g) summary(g, (s) => (step.gradOut = s));
      for (const e of listed.slice(0, this.limits.primitives)) step.primitives.push(this.primitive(e, summary));
      for (let port = 0; port < info.inputs.length; port++) {
        const edge = info.inputEdges[port]!;
        const grad = pass.edgeGrads.get(edge);
        const src = pass.values.get(info.inputs[port]!);
        const input: InputGradTrace = { port, edge, from: info.inputs[port]!, shape: src ? [...src.shape] : [], ...(grad ? { grad: PENDING } : {}) };
        if (grad) summary(grad, (s) => (input.grad = s));
        step.inputs.push(input);
      }
      for (const p of info.params.filter((q) => !q.buffer)) {
        const grad = this.grads.get(p.key);
        const param: ParamGradTrace = { key: p.key, name: p.name, shape: [...p.shape], ...(grad ? { grad: PENDING } : {}) };
        if (grad) summary(grad, (s) => (param.grad = s));
        step.params.push(param);
      }
      trace.backward.push(step);
    }

    for (let i = 0; i < edges.length; i++) {
      const e = edges[i];
      const grad = pass.edgeGrads.get(i);
      const src = pass.values.get(e.from);
      const edge: EdgeTrace = { index: i, from: e.from, to: e.to, port: e.port ?? 0, shape: src ? [...src.shape] : [], ...(grad ? { grad: PENDING } : {}) };
      if (grad) summary(grad, (s) => (edge.grad = s));
      trace.edges.push(edge);
    }

    const b = backend();
    for (const id of model.order) {
      const info = model.nodes.get(id)!;
      const params = info.params.filter((p) => !p.buffer);
      if (!params.length) continue;
      const node: UpdateTrace = { node: id, op: info.spec!.op, params: [] };
      for (const p of params) {
        const t = model.state.get(p.key)!;
        const before = this.before.get(p.key)!;
        const size = t.size;
        const entry: ParamUpdateTrace = { key: p.key, name: p.name, shape: [...p.shape], before: PENDING, after: PENDING, delta: PENDING };
        reads.summary(before, size, (s) => (entry.before = s));
        reads.summary(t.storage, size, (s) => (entry.after = s));
        reads.summary(b.axpby(t.storage, 1, before, -1, size), size, (s) => (entry.delta = s));
        const grad = this.grads.get(p.key);
        // Images of every value: the parameters are read whole, but only those whose images the budget keeps.
        if (this.spend(weightImageCells(t.shape) * (grad ? 3 : 2), 'weight images')) {
          const parts = [{ x: before, size }, { x: t.storage, size }, ...(grad ? [{ x: grad.storage, size }] : [])];
          reads.read(parts, ([was, now, g]) => {
            entry.images = { before: weightImage(was, t.shape), after: weightImage(now, t.shape), ...(g ? { grad: weightImage(g, t.shape) } : {}) };
          });
        }
        node.params.push(entry);
      }
      trace.update.push(node);
    }
    await reads.run();
    trace.omitted = [...this.omitted];
    if (trace.backward.some((s) => s.primitivesOmitted > 0)) trace.omitted.push(`primitive ops past ${this.limits.primitives} a node`);
    return trace;
  }

  private valueTrace(node: string, op: string, t: Tensor, ms: number, reads: ReadBatch): ForwardTrace {
    const out: ForwardTrace = { node, op, shape: [...t.shape], ms };
    if (t.dtype !== 'float32') return out;
    out.output = PENDING;
    reads.summary(t.storage, t.size, (s) => (out.output = s));
    if (t.rank === 2) {
      const [r, c] = t.shape;
      const rows = Math.min(r, this.limits.heatmapRows);
      const colBlock = Math.max(1, Math.ceil(c / this.limits.heatmapCols));
      const cols = Math.ceil(c / colBlock);
      if (this.spend(rows * cols, 'output heatmaps')) {
        // Only the rows drawn are read: the first `rows` samples of the batch.
        reads.read([{ x: t.storage, size: rows * c }], ([data]) => (out.heatmap = heatmap(data, r, c, rows, colBlock)));
      }
    }
    return out;
  }

  private primitive(e: Seen, summary: (s: Tensor | TensorSummary, put: (s: TensorSummary) => void) => void): PrimitiveTrace {
    const p: PrimitiveTrace = { op: e.op, inputs: e.inputs, output: e.output, gradOut: PENDING, ms: e.ms };
    summary(e.gradOut, (s) => (p.gradOut = s));
    return p;
  }

  /** Whether `cells` more image cells fit in the budget (else what was left out is noted). */
  private spend(cells: number, what: string): boolean {
    if (this.cells + cells > this.limits.imageCells) {
      this.omitted.add(`${what} past ${this.limits.imageCells} cells`);
      return false;
    }
    this.cells += cells;
    return true;
  }
}

function heatmap(data: ArrayLike<number>, r: number, c: number, rows: number, colBlock: number): Heatmap {
  const cols = Math.ceil(c / colBlock);
  const values: number[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let sum = 0,
        n = 0;
      for (let k = x * colBlock; k < Math.min(c, (x + 1) * colBlock); k++) {
        const v = data[y * c + k];
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      values.push(n ? Number((sum / n).toPrecision(4)) : 0);
    }
  }
  return { rows, cols, colBlock, sourceRows: r, sourceCols: c, values };
}
