/**
 * What an export needs to know about a valid graph beyond the analysis: which nodes the outputs need,
 * which further nodes only the loss needs, where Targets are used, and the parameter and buffer values
 * the engine would start from (inline params, then the sidecar, then the seeded initialisers, exactly
 * as GraphModel loads them).
 */
import { analyzeModel, type GraphAnalysis, type NodeInfo, type ParamInfo } from '../graph/analyze';
import { upstream } from '../graph/algorithms';
import { initValues } from '../graph/model';
import { GraphValidationError, type GraphError, type ModelJson } from '../graph/types';
import type { TensorRecord, TensorRecords } from '../io/safetensors';
import { boundInputId, readInputFeatures } from '../data/features';

export interface ExportPlan {
  analysis: GraphAnalysis;
  model: ModelJson;
  nodes: Map<string, NodeInfo>;
  /** Forward (topological) order. */
  order: readonly string[];
  inputs: string[];
  targets: string[];
  outputs: readonly string[];
  losses: readonly string[];
  /** Nodes the outputs need (sources included), in forward order. */
  forOutputs: string[];
  /** Nodes only the loss needs (sources included), in forward order. */
  forLoss: string[];
  /** Why the graph has no training loss, or null when it has one (GraphModel.lossProblem's rule). */
  lossProblem: string | null;
  seed: number;
  /** Every parameter and buffer, in forward order. */
  params: ParamInfo[];
  /** The Input that takes computed features (training.dataset.inputFeatures) and which, or null. */
  inputFeatures: { id: string; features: string[] } | null;
}

const isAnalysis = (x: unknown): x is GraphAnalysis =>
  typeof x === 'object' && x !== null && 'errors' in x && 'nodes' in x && (x as GraphAnalysis).nodes instanceof Map;

/** Analyse (unless given an analysis) and plan; an invalid graph throws the analyzer's errors. */
export function planExport(input: string | Uint8Array | ModelJson | GraphAnalysis): ExportPlan {
  const analysis = isAnalysis(input) ? input : analyzeModel(input);
  if (analysis.errors.length) throw new GraphValidationError(analysis.errors);
  const model = analysis.model!;
  const nodes = analysis.nodes;
  const order = analysis.order;
  const edges = model.edges;
  const outSet = upstream(edges, analysis.outputs);
  const lossRoots = analysis.losses.length ? analysis.losses : analysis.sinks.length === 1 ? analysis.sinks : [];
  const lossSet = upstream(edges, lossRoots);
  const opOf = (id: string) => nodes.get(id)!.spec!.op;
  const seed = model.training?.seed;
  const a = analysis;
  const lossProblem =
    a.losses.length > 0 || a.sinks.length === 1
      ? null
      : a.sinks.length === 0
        ? 'the model has no loss node and no output node to take as its loss'
        : `the model has no loss node and ${a.sinks.length} output nodes (${a.sinks.join(', ')}); with no loss node the loss is the sum of a single output`;
  const inputs = order.filter((id) => opOf(id) === 'Input');
  const features = readInputFeatures(model.training);
  const featuredId = features ? boundInputId(model.training, inputs) : undefined;
  return {
    analysis,
    model,
    nodes,
    order,
    inputs,
    targets: order.filter((id) => opOf(id) === 'Target'),
    outputs: analysis.outputs,
    losses: analysis.losses,
    forOutputs: order.filter((id) => outSet.has(id)),
    forLoss: lossProblem === null ? order.filter((id) => lossSet.has(id) && !outSet.has(id)) : [],
    lossProblem,
    seed: typeof seed === 'number' ? seed : 0,
    params: order.flatMap((id) => nodes.get(id)!.params),
    inputFeatures: features && featuredId !== undefined && inputs.includes(featuredId) ? { id: featuredId, features } : null,
  };
}

/** The Target nodes a set of nodes reads. */
export function targetsUsedBy(plan: ExportPlan, ids: readonly string[]): string[] {
  const set = new Set(ids);
  return plan.targets.filter((t) => set.has(t));
}

/**
 * Parameter and buffer values as the engine starts from them: inline `params`, then the sidecar
 * (`weights`), then PyTorch's initialisers drawn from training.seed. A sidecar tensor of the wrong
 * shape or dtype is refused with GraphModel's message.
 */
export function resolveState(plan: ExportPlan, sidecar: Record<string, TensorRecord> | null, keys?: ReadonlySet<string>): TensorRecords {
  const inline = plan.model.params ?? {};
  const errors: GraphError[] = [];
  const out: TensorRecords = {};
  for (const p of plan.params) {
    if (keys && !keys.has(p.key)) continue;
    const given = Object.prototype.hasOwnProperty.call(inline, p.key) ? inline[p.key] : undefined;
    let data: Float32Array | null = null;
    if (given) {
      data = Float32Array.from(given.data);
    } else {
      const stored = sidecar && Object.prototype.hasOwnProperty.call(sidecar, p.key) ? sidecar[p.key] : undefined;
      if (stored) {
        const same = stored.shape.length === p.shape.length && stored.shape.every((d, i) => d === p.shape[i]);
        if (!same) {
          errors.push({
            code: 'bad-params',
            key: p.key,
            nodeId: p.key.split('.')[0],
            message: `weights file: "${p.key}" has shape [${stored.shape.join(', ')}] but the model needs [${p.shape.join(', ')}]`,
          });
        } else if (stored.dtype !== 'F32') {
          errors.push({ code: 'bad-params', key: p.key, message: `weights file: "${p.key}" is ${stored.dtype}; parameters are F32` });
        } else {
          data = Float32Array.from(stored.data);
        }
      }
    }
    out[p.key] = { dtype: 'F32', shape: [...p.shape], data: data ?? initValues(p.init, p.shape, plan.seed, p.key) };
  }
  if (errors.length) throw new GraphValidationError(errors);
  return out;
}

/** Bytes the state takes as float32. */
export function stateBytes(plan: ExportPlan): number {
  return plan.params.reduce((s, p) => s + 4 * p.shape.reduce((a, b) => a * b, 1), 0);
}
