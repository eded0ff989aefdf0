import type { GradCheckManager } from '../gradcheck/manager';
import { targetModel } from './modelDocument';

export const CHECK_GRADIENTS_COMMAND = 'backpropStudio.checkGradients';

/**
 * Check the model's gradients (menu URI, active graph editor, or active *.nn.json text editor) against float64
 * finite differences on its dataset's first training batch; `nodeId` (the Inspector's button) restricts it to
 * that node's tensors.
 */
export async function checkGradients(gradChecks: GradCheckManager, resource?: unknown, nodeId?: unknown) {
  if (nodeId !== undefined && typeof nodeId !== 'string') throw new Error('the node must be given by its id');
  const doc = await targetModel(resource);
  return doc ? gradChecks.check(doc, nodeId) : undefined;
}
