/**
 * The safetensors sidecar of a model (named by its `weights` key, else `NAME.safetensors` beside it), as
 * bytes: where it is, and its keys following a renamed node. Pure (no `vscode`, no file system): the editor provider reads and writes the bytes through
 * vscode.workspace.fs.
 *
 * A rename COPIES the node's tensors to the new keys and keeps the old ones, because the rename itself is
 * an undoable text edit while the sidecar is a file on disk: undo (or revert, or closing without saving)
 * brings the old id back, and its weights are still there. The keys no model uses any more are pruned when
 * the model is saved (see `pruneSidecar`), so the file does not keep copies for ever.
 */
import { decodeSafetensors, encodeSafetensors, type TensorRecords } from '../../engine/io/safetensors';
import { resolveContainedPath, SIDECAR_FILE, type Contained, type Links } from '../../common/containment';

/**
 * The sidecar's path, from the model file's path (POSIX, as in a URI) and its `weights` value, or why it is
 * refused: the containment rule of common/containment.ts (a relative path to a `.safetensors` file inside
 * `root`, the workspace folder or the model's own folder), on real paths when the file system's `links` are given.
 */
export function resolveSidecarPath(modelPath: string, weights: string, root: string, links?: Links): Contained {
  return resolveContainedPath(modelPath, weights, root, SIDECAR_FILE, links);
}

const idOf = (key: string): string => key.split('.')[0]!;

/** The sidecar with every `<from>.*` tensor also stored as `<to>.*`; null when it holds none of `from`'s. */
export function copySidecarKeys(bytes: Uint8Array, from: string, to: string): Uint8Array | null {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const out: TensorRecords = Object.create(null) as TensorRecords;
  let copied = 0;
  for (const key of Object.keys(tensors)) out[key] = tensors[key]!;
  for (const key of Object.keys(tensors)) {
    if (idOf(key) !== from) continue;
    out[to + key.slice(from.length)] = tensors[key]!;
    copied++;
  }
  return copied === 0 ? null : encodeSafetensors({ ...out }, keepMetadata(metadata));
}

/**
 * The sidecar without the tensors of `candidates` (ids this session renamed away from or to) that the saved
 * model no longer has; null when nothing is pruned. Keys of other ids are never touched.
 */
export function pruneSidecar(bytes: Uint8Array, modelIds: ReadonlySet<string>, candidates: ReadonlySet<string>): Uint8Array | null {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const kept: TensorRecords = {};
  let pruned = 0;
  for (const key of Object.keys(tensors)) {
    const id = idOf(key);
    if (candidates.has(id) && !modelIds.has(id)) pruned++;
    else Object.defineProperty(kept, key, { value: tensors[key], enumerable: true, writable: true, configurable: true });
  }
  return pruned === 0 ? null : encodeSafetensors(kept, keepMetadata(metadata));
}

/** The file's metadata as it was: none stays none. */
function keepMetadata(m: Record<string, string> | undefined): Record<string, string> | undefined {
  return m && Object.keys(m).length > 0 ? m : undefined;
}
