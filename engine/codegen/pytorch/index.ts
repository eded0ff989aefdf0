/**
 * The `pytorch` target (docs/export.md#pytorch): a folder holding model.py (class Model(nn.Module)), the weights
 * the engine would start from as a safetensors file, and safetensors_io.py, the reader and writer both use.
 */
import { encodeSafetensors, type TensorRecord } from '../../io/safetensors';
import { resolveState, type ExportPlan } from '../plan';
import { modelPy, SAFETENSORS_IO_FILE, WEIGHTS_FILE } from './model';
import { SAFETENSORS_IO_PY } from './safetensorsIo';

export interface PyTorchFile {
  /** Relative to the export folder. */
  path: string;
  contents: string | Uint8Array;
  role: 'module' | 'runtime' | 'weights';
}

export const MODEL_FILE = 'model.py';

export function pytorchFiles(plan: ExportPlan, sidecar: Record<string, TensorRecord> | null, generator: string): PyTorchFile[] {
  // Every parameter and buffer as the engine starts: inline params, then the sidecar, then the seeded initialisers.
  const state = resolveState(plan, sidecar);
  return [
    { path: MODEL_FILE, contents: modelPy(plan, { generator }), role: 'module' },
    { path: SAFETENSORS_IO_FILE, contents: SAFETENSORS_IO_PY, role: 'runtime' },
    { path: WEIGHTS_FILE, contents: encodeSafetensors(state), role: 'weights' },
  ];
}

export { LOSS_KEY, LOSS_OUTPUT_KEY, SAFETENSORS_IO_FILE, WEIGHTS_FILE, outputKey } from './model';
export { PYTORCH_LOWERINGS, type PyTorchLowering, type PyTorchOpName } from './lowerings';
