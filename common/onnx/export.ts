/**
 * Export to ONNX (docs/export.md#onnx), shared by the command line and the extension: the engine plans and
 * lowers the model (engine/codegen/onnx, plain objects, no dependencies), this side encodes the protobuf.
 * An invalid graph throws GraphValidationError with the analyzer's errors; a valid graph whose outputs need
 * a Target or a loss throws ExportError.
 */
import type { GraphAnalysis } from '../../engine/graph/analyze';
import type { ModelJson } from '../../engine/graph/types';
import type { TensorRecord } from '../../engine/io/safetensors';
import { ExportError } from '../../engine/codegen';
import { planExport, resolveState } from '../../engine/codegen/plan';
import { onnxKeys, onnxModel, onnxProblem } from '../../engine/codegen/onnx/build';
import { encodeOnnx } from './encode';

export interface OnnxExportOptions {
  /** The model's sidecar weights (its `weights` file, decoded), or null when it has none (yet). */
  weights: Record<string, TensorRecord> | null;
  /** Recorded in the model's doc string, e.g. 'Backprop Studio 0.1.0 (backprop-studio export)'. */
  generator: string;
  /** ModelProto.producer_version. */
  version: string;
}

export function exportOnnx(input: string | Uint8Array | ModelJson | GraphAnalysis, options: OnnxExportOptions): Uint8Array {
  const plan = planExport(input);
  const problem = onnxProblem(plan);
  if (problem) throw new ExportError(problem);
  const state = resolveState(plan, options.weights, onnxKeys(plan));
  return encodeOnnx(onnxModel(plan, state, { generator: options.generator, producerVersion: options.version }));
}
