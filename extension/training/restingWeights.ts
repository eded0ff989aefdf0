/**
 * A node's weights with no run going (none started yet, or it ended): as the model would start its next run from
 * them, the weights file's (the sidecar's), the inline params, or the seed's initial values, for the Inspector's
 * heatmaps. No gradient: none has been computed. No VS Code import: the manager reads the files.
 */
import { GraphModel, analyzeModel, decodeSafetensors, nodeWeightImages, type ParamImages } from '../../engine';

/** Models with more parameters than this are drawn only from a run (compiling them on the host's thread takes long). */
export const RESTING_WEIGHTS_MAX_PARAMS = 2_000_000;

/** The node's parameters as images, or null (no such parameterised node, a model that does not compile, too large). */
export async function restingWeights(text: string, sidecar: Uint8Array | null, nodeId: string): Promise<ParamImages[] | null> {
  const analysis = analyzeModel(text);
  if (analysis.errors.length || !analysis.nodes.get(nodeId)?.paramCount) return null;
  const total = [...analysis.nodes.values()].reduce((s, n) => s + n.paramCount, 0);
  if (total > RESTING_WEIGHTS_MAX_PARAMS) return null;
  let model: GraphModel;
  try {
    model = GraphModel.create(analysis, { sidecar: sidecar ? decodeSafetensors(sidecar).tensors : undefined, onShapeMismatch: 'reinit' });
  } catch {
    // A weights file that cannot be read: the run would say so when it starts; here the Inspector just shows nothing.
    return null;
  }
  return nodeWeightImages(model, nodeId);
}
