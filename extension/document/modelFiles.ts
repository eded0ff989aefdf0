/**
 * Where the files a model names are, for everything in the extension that reads or writes them: the weights
 * sidecar (Train, Reset weights, saving a run, a rename's key copy and prune, Export) and a CSV dataset
 * (Train). One rule, common/containment.ts's: a path relative to the model that stays inside the workspace
 * folder of the model, or the model's own folder when it is in no workspace folder.
 *
 * For `file:` models the check is on real paths (Node's fs follows symbolic links, dangling ones included),
 * so a link inside the workspace cannot lead out of it, and the URI returned is the real file. Other schemes
 * (a remote or virtual file system) have no links we can see: the rule applies to the path text.
 */
import * as vscode from 'vscode';
import { readlinkSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { DATASET_FILE, defaultSidecarName, resolveContainedPath, SIDECAR_FILE, type ContainedFile, type Links } from '../../common/containment';

export type ModelFile = { uri: vscode.Uri } | { error: string };
export type ModelFileKind = 'sidecar' | 'dataset';

const NODE_LINKS: Links = { realpath: (p) => realpathSync(p), readlink: (p) => readlinkSync(p) };
const RULES: Record<ModelFileKind, ContainedFile> = { sidecar: SIDECAR_FILE, dataset: DATASET_FILE };

/** The file `value` (from the model at `model`) names, or why it may not be used. */
export function modelFileUri(model: vscode.Uri, value: string, kind: ModelFileKind | ContainedFile): ModelFile {
  const rule = typeof kind === 'string' ? RULES[kind] : kind;
  if (model.scheme === 'untitled') return { error: `${rule.key} cannot be used before the model is saved to a file` };
  const folder = vscode.workspace.getWorkspaceFolder(model)?.uri;
  if (model.scheme === 'file') {
    const r = resolveContainedPath(model.fsPath, value, folder ? folder.fsPath : dirname(model.fsPath), rule, NODE_LINKS);
    return 'error' in r ? r : { uri: vscode.Uri.file(r.path) };
  }
  const root = folder?.path ?? model.path.slice(0, model.path.lastIndexOf('/'));
  const r = resolveContainedPath(model.path, value, root, rule);
  return 'error' in r ? r : { uri: model.with({ path: r.path }) };
}

/** How messages name the sidecar when the model has no `weights` key. */
const DEFAULT_SIDECAR: ContainedFile = { ...SIDECAR_FILE, key: 'the weights file' };

/**
 * The model's weights sidecar: the file its `weights` key names, else `NAME.safetensors` beside `NAME.nn.json`
 * (common/containment.ts defaultSidecarName, which the command line uses too). `name` is how messages refer to it. A file that does
 * not exist yet is not an error (an untrained model): its URI is where training will save.
 */
export function sidecarFile(model: vscode.Uri, weights: unknown): { uri: vscode.Uri; name: string } | { error: string } {
  const named = typeof weights === 'string' && weights.length > 0;
  const name = named ? weights : defaultSidecarName(model.path);
  const r = modelFileUri(model, name, named ? 'sidecar' : DEFAULT_SIDECAR);
  return 'error' in r ? r : { uri: r.uri, name };
}

/** The file's bytes, or null when there is no such file (any other failure is thrown). */
export async function readIfExists(uri: vscode.Uri): Promise<Uint8Array | null> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    if (isFileNotFound(e)) return null;
    throw e;
  }
}

/** A file system error that says there is no such file. */
export function isFileNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'FileNotFound' || code === 'EntryNotFound' || code === 'ENOENT';
}

/** Writes `bytes` to `uri` through a temporary file beside it and a rename, so a reader never sees half a file. */
export async function writeFileAtomically(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const tmp = uri.with({ path: `${uri.path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp` });
  await vscode.workspace.fs.writeFile(tmp, bytes);
  try {
    await vscode.workspace.fs.rename(tmp, uri, { overwrite: true });
  } catch (e) {
    await Promise.resolve(vscode.workspace.fs.delete(tmp)).catch(() => undefined);
    throw e;
  }
}
