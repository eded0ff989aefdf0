/**
 * The `onnx` target, as plain objects: the inference graph of a valid model (eval mode), the nodes the
 * outputs need lowered op by op (ONNX_LOWERINGS), with the weights the engine would start from as
 * initializers named by their state-dict keys. Graph inputs and outputs are named by the Input and output
 * ids, with the batch as the symbolic dimension N. Pure and deterministic: the same plan and weights give the
 * same model, which common/onnx/encode.ts writes as protobuf.
 */
import type { NodeInfo } from '../../graph/analyze';
import { upstream } from '../../graph/algorithms';
import type { Dim, TensorType } from '../../graph/types';
import type { TensorRecords } from '../../io/safetensors';
import { featureNames } from '../features';
import { targetsUsedBy, type ExportPlan } from '../plan';
import { lowerFeatures } from './features';
import type { OnnxEmitter } from './lowering';
import { FED, TRAINING_ONLY } from '../lowering';
import {
  BATCH_DIM,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  type OnnxAttr,
  type OnnxDType,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './model';

export interface OnnxOptions {
  /** Recorded in the model's doc string, e.g. 'Backprop Studio 0.1.0 (backprop-studio export)'. */
  generator: string;
  /** ModelProto.producer_version: the version of Backprop Studio. */
  producerVersion: string;
}

/** Why the ONNX target cannot export the model's outputs (there are none, or one needs a Target or a loss), or null. */
export function onnxProblem(plan: ExportPlan): string | null {
  // An ONNX graph computes at least one output; runtimes refuse to load one that computes nothing.
  if (!plan.outputs.length) return 'the model has no outputs to export: no node but Inputs and Targets, so inference computes nothing';
  const used = targetsUsedBy(plan, plan.forOutputs);
  const dependent = (source: string) => plan.outputs.find((o) => upstream(plan.model.edges, [o]).has(source))!;
  if (used.length) {
    const t = used[0];
    return `output "${dependent(t)}" depends on Target "${t}", which inference is not given; the ONNX target exports only outputs computed from Inputs`;
  }
  const loss = plan.forOutputs.find((id) => plan.nodes.get(id)!.spec!.isLoss);
  if (loss) return `output "${dependent(loss)}" depends on the loss node "${loss}"; the ONNX target exports the inference graph, which has no losses`;
  return null;
}

/** Keys of the parameters and buffers the outputs read: the model's initializers. */
export function onnxKeys(plan: ExportPlan): Set<string> {
  return new Set(plan.forOutputs.flatMap((id) => plan.nodes.get(id)!.params.map((p) => p.key)));
}

const shapeOf = (t: TensorType): (number | string)[] => t.shape.map((d: Dim) => (d === 'N' ? BATCH_DIM : d));
const docShape = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;

/** The ONNX model of a plan whose outputs onnxProblem accepts; `state` holds at least onnxKeys(plan). */
export function onnxModel(plan: ExportPlan, state: TensorRecords, opts: OnnxOptions): OnnxModel {
  const problem = onnxProblem(plan);
  if (problem) throw new Error(problem);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const names = new Set<string>();
  /** The ONNX value holding each graph node's output. */
  const values = new Map<string, string>();
  const featured = plan.inputFeatures && plan.forOutputs.includes(plan.inputFeatures.id) ? plan.inputFeatures : null;

  const claim = (name: string) => {
    if (names.has(name)) throw new Error(`ONNX export: the name "${name}" is used twice`);
    names.add(name);
    return name;
  };
  const emitterFor = (n: NodeInfo): OnnxEmitter => {
    const counts = new Map<string, number>();
    const add = (op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> | undefined, output: string) => {
      nodes.push({ op, name: output, inputs: [...inputs], outputs: [output], attrs: Object.entries(attrs ?? {}) });
      return output;
    };
    return {
      op(op, inputs, attrs) {
        const k = (counts.get(op) ?? 0) + 1;
        counts.set(op, k);
        return add(op, inputs, attrs, claim(`${n.id}/${op}${k > 1 ? `_${k}` : ''}`));
      },
      result: (op, inputs, attrs) => add(op, inputs, attrs, claim(n.id)),
      param(name) {
        const p = n.params.find((q) => q.name === name);
        if (!p) return null;
        const t = state[p.key];
        if (!t) throw new Error(`ONNX export: no value for "${p.key}"`);
        initializers.push({ name: claim(p.key), dtype: 'float32', dims: [...p.shape], values: Float32Array.from(t.data as ArrayLike<number>) });
        return p.key;
      },
      constant(name, dtype, dims, data) {
        const full = claim(`${n.id}/${name}`);
        initializers.push({ name: full, dtype, dims: [...dims], values: dtype === 'float32' ? Float32Array.from(data) : [...data] });
        return full;
      },
    };
  };

  const inputs: OnnxValueInfo[] = [];
  for (const id of plan.forOutputs) {
    const n = plan.nodes.get(id)!;
    if (id === featured?.id) {
      // The graph input takes the raw points under the Input's id; the node's value is the features computed from them.
      inputs.push({
        name: claim(id),
        dtype: 'float32',
        shape: [BATCH_DIM, 2],
        doc: `raw points x1, x2; the graph computes the input features ${featureNames(featured)}`,
      });
      values.set(id, lowerFeatures(id, featured.features, emitterFor(n)));
      continue;
    }
    const lower = n.spec!.lower.onnx;
    if (lower === FED) {
      // A graph input of the node's name.
      inputs.push({ name: claim(id), dtype: n.type!.dtype, shape: shapeOf(n.type!) });
      values.set(id, id);
      continue;
    }
    // The export refuses an output that needs a Target or a loss before lowering (onnxProblem).
    if (lower === TRAINING_ONLY) throw new Error(`internal: node "${id}" (${n.spec!.op}) is not part of the inference graph`);
    const xs = n.inputs.map((s) => ({ name: values.get(s!)!, type: plan.nodes.get(s!)!.type! }));
    values.set(id, lower(n, xs, emitterFor(n)));
  }

  const outputs: OnnxValueInfo[] = plan.outputs.map((id) => {
    if (values.get(id) !== id) throw new Error(`ONNX export: output "${id}" is not a value of its own name`);
    const t = plan.nodes.get(id)!.type!;
    return { name: id, dtype: t.dtype as OnnxDType, shape: shapeOf(t) };
  });
  const modelName = plan.model.name ?? 'model';
  const doc = [
    `Generated by ${opts.generator} from the model ${JSON.stringify(modelName)} (nn-graph format version ${plan.model.version}).`,
    `Inference in eval mode (Dropout is the identity, BatchNorm uses its running statistics); ONNX opset ${ONNX_OPSET}; the batch dimension is ${BATCH_DIM}.`,
    `Inputs: ${inputs.map((v) => `${v.name} ${v.dtype} ${docShape(v.shape)}${v.doc ? ` (${v.doc})` : ''}`).join('; ') || 'none'}.`,
    `Outputs: ${outputs.map((v) => `${v.name} ${v.dtype} ${docShape(v.shape)}`).join('; ')}.`,
  ].join('\n');
  return {
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'Backprop Studio',
    producerVersion: opts.producerVersion,
    doc,
    graph: { name: modelName, doc, nodes, initializers, inputs, outputs },
    metadata: [['nn-graph.version', String(plan.model.version)]],
  };
}
