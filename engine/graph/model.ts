/**
 * A model file compiled into something that runs: parameters and buffers (from inline params, the
 * safetensors sidecar, or PyTorch's default initialisers), and a forward pass over the graph in
 * topological order that can report the gradient carried by every edge.
 */
import { backend } from '../backend/backend';
import { readNow } from '../backend/readback';
import { Tensor } from '../tensor';
import { tap } from '../ops/tap';
import { withScope } from '../autograd';
import { now } from '../clock';
import { addN } from '../ops/binary';
import { sum } from '../ops/reduce';
import { Random } from '../nn/random';
import * as init from '../nn/init';
import { analyzeModel, LIMITS, type GraphAnalysis, type NodeInfo, type ParamInfo } from './analyze';
import { activationBudgetExcess, type ActivationExcess } from './activations';
import { GraphValidationError, type GraphError, type ModelJson, type TensorJson } from './types';
import type { InitKind } from './registry';
import type { TensorRecord } from '../io/safetensors';

/** A parameter or buffer as stored in a safetensors file or inline params. */
export type StoredTensor = TensorRecord;

export interface ModelOptions {
  /** Tensors from the safetensors sidecar, already decoded (see decodeSafetensors). */
  sidecar?: Record<string, StoredTensor>;
  /** What to do when a stored tensor's shape does not match the model: fail (default) or re-initialise it. */
  onShapeMismatch?: 'error' | 'reinit';
}

export interface ForwardOptions {
  training: boolean;
  /** Training step number, for Dropout's masks. */
  step?: number;
  /**
   * Dropout drops in training (default true). The gradient check turns it off, so that every pass of a training-mode
   * forward computes the same function of the parameters (BatchNorm still uses the batch's statistics).
   */
  dropout?: boolean;
  /** Compute the loss (needs every Target fed). Default: true when training. */
  computeLoss?: boolean;
  /** Record the gradient each edge carries during backward (EdgeGrads). */
  edgeGrads?: boolean;
  /** Keep each node's output gradient after backward (for locating non-finite gradients). */
  retainGrads?: boolean;
  /** Called after each node's forward with its output and wall time in milliseconds (profiling, the walk-through). */
  observe?: (nodeId: string, output: Tensor, ms: number) => void;
}

export interface ForwardPass {
  /** Every node's output, Inputs and Targets included. */
  values: Map<string, Tensor>;
  /** The model's outputs (see GraphModel.outputs). */
  outputs: Map<string, Tensor>;
  loss: Tensor | null;
  /** Filled by loss.backward() when edgeGrads was set: edge index → gradient through that edge. */
  edgeGrads: Map<number, Tensor>;
}

export class GraphModel {
  readonly analysis: GraphAnalysis;
  readonly json: ModelJson;
  readonly seed: number;
  /** Parameters and buffers by state-dict key. */
  readonly state = new Map<string, Tensor>();
  private readonly paramInfo = new Map<string, ParamInfo>();

  private constructor(analysis: GraphAnalysis, opts: ModelOptions) {
    this.analysis = analysis;
    this.json = analysis.model!;
    const seed = this.json.training?.seed;
    this.seed = typeof seed === 'number' ? seed : 0;
    const inline = this.json.params ?? {};
    const errors: GraphError[] = [];
    for (const id of analysis.order) {
      for (const p of analysis.nodes.get(id)!.params) {
        this.paramInfo.set(p.key, p);
        const t = this.loadOne(p, inline[p.key], opts, errors);
        t.name = p.key;
        t.requiresGrad = !p.buffer;
        this.state.set(p.key, t);
      }
    }
    if (errors.length) throw new GraphValidationError(errors);
  }

  /** Validate and compile; throws GraphValidationError listing every problem. */
  static create(input: string | Uint8Array | ModelJson | GraphAnalysis, opts: ModelOptions = {}): GraphModel {
    const analysis = isAnalysis(input) ? input : analyzeModel(input);
    if (analysis.errors.length) throw new GraphValidationError(analysis.errors);
    return new GraphModel(analysis, opts);
  }

  private loadOne(p: ParamInfo, inline: TensorJson | undefined, opts: ModelOptions, errors: GraphError[]): Tensor {
    if (inline) return Tensor.fromData(inline.data, p.shape);
    const stored = opts.sidecar?.[p.key];
    if (stored) {
      const same = stored.shape.length === p.shape.length && stored.shape.every((d, i) => d === p.shape[i]);
      if (!same && opts.onShapeMismatch !== 'reinit') {
        errors.push({
          code: 'bad-params',
          key: p.key,
          nodeId: p.key.split('.')[0],
          message: `weights file: "${p.key}" has shape [${stored.shape.join(', ')}] but the model needs [${p.shape.join(', ')}]`,
        });
      } else if (same) {
        if (stored.dtype !== 'F32') errors.push({ code: 'bad-params', key: p.key, message: `weights file: "${p.key}" is ${stored.dtype}; parameters are F32` });
        else return Tensor.fromData(stored.data, p.shape);
      }
    }
    return Tensor.fromData(initValues(p.init, p.shape, this.seed, p.key), p.shape);
  }

  /** Re-initialise every parameter and buffer from the seed (the editor's Reset). */
  reset(): void {
    for (const [key, t] of this.state) {
      const p = this.paramInfo.get(key)!;
      t.storage = Tensor.fromData(initValues(p.init, p.shape, this.seed, key), p.shape).storage;
    }
  }

  get nodes(): Map<string, NodeInfo> {
    return this.analysis.nodes;
  }

  /** Node ids in topological (forward) order. */
  get order(): readonly string[] {
    return this.analysis.order;
  }

  /** What inference returns: nodes feeding port 0 of the losses, or the sinks. */
  get outputs(): readonly string[] {
    return this.analysis.outputs;
  }

  get inputIds(): string[] {
    return this.analysis.order.filter((id) => this.nodes.get(id)!.spec!.op === 'Input');
  }

  get targetIds(): string[] {
    return this.analysis.order.filter((id) => this.nodes.get(id)!.spec!.op === 'Target');
  }

  /** Trainable parameters, in forward order. */
  parameters(): Tensor[] {
    return [...this.state.entries()].filter(([k]) => !this.paramInfo.get(k)!.buffer).map(([, t]) => t);
  }

  namedParameters(): [string, Tensor][] {
    return [...this.state.entries()].filter(([k]) => !this.paramInfo.get(k)!.buffer);
  }

  isBuffer(key: string): boolean {
    return !!this.paramInfo.get(key)?.buffer;
  }

  zeroGrad(): void {
    for (const t of this.state.values()) t.zeroGrad();
  }

  /** Why this graph has no training loss, or null when it has one. */
  lossProblem(): string | null {
    const a = this.analysis;
    if (a.losses.length > 0) return null;
    if (a.sinks.length === 1) return null;
    return a.sinks.length === 0
      ? 'the model has no loss node and no output node to take as its loss'
      : `the model has no loss node and ${a.sinks.length} output nodes (${a.sinks.join(', ')}); with no loss node the loss is the sum of a single output`;
  }

  /** Check feeds against the Input/Target types; returns the messages naming each bad key. */
  checkFeeds(feeds: Record<string, Tensor>, needTargets: boolean): string[] {
    const problems: string[] = [];
    let batch: number | undefined;
    let batchFrom = '';
    const ids = needTargets ? [...this.inputIds, ...this.targetIds] : this.inputIds;
    for (const id of ids) {
      // Own keys only: a node named "constructor" or "toString" must not find Object.prototype's.
      const t = Object.hasOwn(feeds, id) ? feeds[id] : undefined;
      const type = this.nodes.get(id)!.type!;
      const want = `[N, ${type.shape.slice(1).join(', ')}]`.replace(', ]', ']');
      if (!t) {
        problems.push(`feed "${id}" is missing (${this.nodes.get(id)!.spec!.op} ${want} ${type.dtype})`);
        continue;
      }
      if (t.dtype !== type.dtype) problems.push(`feed "${id}" must be ${type.dtype}, found ${t.dtype}`);
      if (t.rank !== type.shape.length || t.shape.some((d, i) => i > 0 && d !== type.shape[i])) {
        problems.push(`feed "${id}" must have shape ${want}, found [${t.shape.join(', ')}]`);
        continue;
      }
      if (t.shape[0] < 1) problems.push(`feed "${id}" has an empty batch`);
      if (batch === undefined) {
        batch = t.shape[0];
        batchFrom = id;
      } else if (t.shape[0] !== batch) {
        problems.push(`feed "${id}" has batch ${t.shape[0]} but "${batchFrom}" has batch ${batch}`);
      }
    }
    return problems;
  }

  /** The batch size of checked feeds: the first Input's (or Target's) leading dimension; 1 with neither. */
  private batchOf(feeds: Record<string, Tensor>): number {
    for (const id of [...this.inputIds, ...this.targetIds]) {
      if (Object.hasOwn(feeds, id)) return feeds[id].shape[0];
    }
    return 1;
  }

  /**
   * Run the graph. Feeds map Input (and, for the loss, Target) ids to tensors with the batch first.
   * Throws FeedError on bad feeds, and ActivationBudgetError, before any op runs, when the outputs of
   * this pass would take more than LIMITS.activationBytes.
   */
  forward(feeds: Record<string, Tensor>, opts: ForwardOptions): ForwardPass {
    const computeLoss = opts.computeLoss ?? opts.training;
    const problems = this.checkFeeds(feeds, computeLoss);
    if (problems.length) throw new FeedError(problems);
    // The activations this batch would allocate, from the static shapes: over budget, nothing runs.
    const excess = activationBudgetExcess(this.analysis, this.batchOf(feeds), LIMITS.activationBytes, { loss: computeLoss });
    if (excess) throw new ActivationBudgetError(excess);
    const values = new Map<string, Tensor>();
    const edgeGrads = new Map<number, Tensor>();
    const step = opts.step ?? 0;
    for (const id of this.order) {
      const n = this.nodes.get(id)!;
      const spec = n.spec!;
      if (spec.isSource) {
        const fed = Object.hasOwn(feeds, id) ? feeds[id] : undefined;
        if (fed) values.set(id, fed);
        continue;
      }
      if (spec.isLoss && !computeLoss) continue;
      const started = opts.observe ? now() : 0;
      // Every op the node records is attributed to it (the edge taps too: they carry what flows into it).
      const out = withScope(id, () => {
        const inputs = n.inputs.map((src, port) => {
          const v = values.get(src!);
          if (!v) throw new Error(`internal: ${src} has no value when ${id} runs`);
          if (!opts.edgeGrads) return v;
          const edge = n.inputEdges[port]!;
          return tap(v, (g) => edgeGrads.set(edge, g));
        });
        const params: Record<string, Tensor> = {};
        for (const p of n.params) params[p.name] = this.state.get(p.key)!;
        return spec.forward(inputs, n.attrs, {
          params,
          training: opts.training,
          dropout: opts.training && opts.dropout !== false,
          rng: () => new Random(this.seed, 'dropout', step, id),
        });
      });
      opts.observe?.(id, out, now() - started);
      if (opts.retainGrads && out.requiresGrad) out.retainGrad();
      values.set(id, out);
    }
    const outputs = new Map(this.outputs.filter((id) => values.has(id)).map((id) => [id, values.get(id)!]));
    let loss: Tensor | null = null;
    if (computeLoss) {
      const problem = this.lossProblem();
      if (problem) throw new Error(problem);
      const parts = this.analysis.losses.length ? this.analysis.losses.map((id) => values.get(id)!) : [sum(values.get(this.analysis.sinks[0])!)];
      loss = parts.length === 1 ? parts[0] : addN(parts);
    }
    return { values, outputs, loss, edgeGrads };
  }

  /** Parameters and buffers as stored tensors (for safetensors and inline params). */
  stateDict(): Promise<Record<string, StoredTensor>> {
    // Every read starts now, so the values are those of this moment even if training goes on before they arrive.
    const reads = [...this.state].map(([k, t]) => ({ k, shape: [...t.shape], data: readNow(t.storage) }));
    // Awaited together: one that fails (a lost GPU) fails the whole, and none is left unhandled.
    return Promise.all(reads.map((r) => r.data)).then((data) => {
      const out = Object.create(null) as Record<string, StoredTensor>;
      reads.forEach(({ k, shape }, i) => (out[k] = { dtype: 'F32', shape, data: data[i] }));
      return out;
    });
  }

  /**
   * The first node, in forward order, whose output or gradient is not finite; null when all are.
   * Call after backward with retainGrads set to check gradients too.
   */
  async firstNonFinite(pass: ForwardPass): Promise<{ nodeId: string; where: 'output' | 'gradient'; detail: string } | null> {
    for (const id of this.order) {
      const v = pass.values.get(id);
      if (v && v.dtype === 'float32' && !(await allFinite(v)))
        return { nodeId: id, where: 'output', detail: `the output of node "${id}" (${this.nodes.get(id)!.spec!.op})` };
    }
    for (const id of this.order) {
      const v = pass.values.get(id);
      if (v?.grad && !(await allFinite(v.grad)))
        return { nodeId: id, where: 'gradient', detail: `the gradient of node "${id}" (${this.nodes.get(id)!.spec!.op})'s output` };
      for (const p of this.nodes.get(id)!.params) {
        const g = this.state.get(p.key)!.grad;
        if (g && !(await allFinite(g))) return { nodeId: id, where: 'gradient', detail: `the gradient of ${p.key}` };
      }
    }
    return null;
  }
}

const allFinite = (t: Tensor): Promise<boolean> => backend().allFinite(t.storage, t.size);

export class FeedError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'FeedError';
  }
}

/**
 * A pass whose activations would exceed LIMITS.activationBytes (see activations.ts), thrown before any
 * op runs. A FeedError, since the batch fed is what makes it too large.
 */
export class ActivationBudgetError extends FeedError {
  readonly nodeId: string;
  constructor(readonly excess: ActivationExcess) {
    super([excess.message]);
    this.name = 'ActivationBudgetError';
    this.nodeId = excess.nodeId;
  }
}

function isAnalysis(x: unknown): x is GraphAnalysis {
  return typeof x === 'object' && x !== null && 'errors' in x && 'nodes' in x && (x as GraphAnalysis).nodes instanceof Map;
}

/** PyTorch's default initial values for one parameter, from its own stream (seed, key). */
export function initValues(kind: InitKind, shape: number[], seed: number, key: string): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = init.paramStream(seed, key);
  switch (kind.kind) {
    case 'kaimingUniform':
      return init.kaimingUniformA5(size, kind.fanIn, rng);
    case 'biasUniform':
      return init.biasUniform(size, kind.fanIn, rng);
    case 'ones':
      return init.onesFill(size);
    case 'zeros':
      return init.zerosFill(size);
    case 'normal':
      return init.normalFill(size, 0, kind.std, rng);
  }
}
