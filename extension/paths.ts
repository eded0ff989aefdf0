// Model file names. Pure functions (no `vscode` import) so tests can check them.

export const MODEL_SUFFIX = '.nn.json';

/** `foo` and `foo.json` become `foo.nn.json`; `foo.nn.json` stays. Works on paths and URI paths. */
export function withModelExtension(path: string): string {
  if (path.toLowerCase().endsWith(MODEL_SUFFIX)) return path;
  if (path.toLowerCase().endsWith('.json')) return path.slice(0, -'.json'.length) + MODEL_SUFFIX;
  return path + MODEL_SUFFIX;
}

/** `/a/b/my-model.nn.json` → `my-model`. */
export function modelNameFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  return base.toLowerCase().endsWith(MODEL_SUFFIX) ? base.slice(0, -MODEL_SUFFIX.length) : base.replace(/\.json$/i, '');
}
