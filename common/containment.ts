/**
 * The one rule for files a model names (its `weights` sidecar, a CSV `training.dataset.path`): a path
 * relative to the model file that stays inside a root, the workspace folder in the extension and the
 * model's own folder tree on the command line. A model from an untrusted repository must not make us read
 * or write other files, so the rule is checked on the text (no absolute paths, no `..` past the root) and
 * then on real paths, so that a symbolic link inside the root cannot lead out of it.
 *
 * Pure: the caller hands in the file system's links (Node's fs for files on disk; none for a virtual file
 * system, where only the text rule applies). Paths use `/`; a Windows drive prefix (`C:`) is kept.
 */

/**
 * The file system's links, as Node's fs.realpathSync and fs.readlinkSync: realpath throws when the path
 * does not exist, readlink when it is not a link.
 */
export interface Links {
  realpath(path: string): string;
  readlink(path: string): string;
}

export interface ContainedFile {
  /** How the message names the value: `"weights"`, `training.dataset.path`. */
  key: string;
  /** The file type the value must name, e.g. { pattern: /\.safetensors$/i, label: 'a .safetensors file' }. */
  type?: { pattern: RegExp; label: string };
}

export type Contained = { path: string } | { error: string };

const quote = (s: string) => JSON.stringify(s.length > 80 ? s.slice(0, 77) + '...' : s);
const slashes = (p: string) => p.replace(/\\/g, '/');
const DRIVE = /^[A-Za-z]:(?=\/|$)/;

/** `a/./b/../c` → `a/c`, keeping a leading `/` or drive; null when `..` climbs past the top. */
const ABSOLUTE = /^(?:\/|[A-Za-z]:\/)/;

function normalise(path: string): string | null {
  const p = slashes(path);
  const drive = DRIVE.exec(p)?.[0] ?? '';
  const parts: string[] = [];
  for (const seg of p.slice(drive.length).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return `${drive}/${parts.join('/')}`;
}

/** `path` is `root` or inside it (both normalised). */
export function isInside(path: string, root: string): boolean {
  const base = root.endsWith('/') ? root : root + '/';
  return path === root || path.startsWith(base);
}

/**
 * The real path of `path`, which may not exist yet (a sidecar before the first save): the longest existing
 * prefix is resolved and the rest appended, so a link anywhere along the way is followed, a dangling one
 * (whose target a write would create) included.
 */
export function realpathOfMaybeMissing(path: string, links: Links, depth = 0): string {
  const rest: string[] = [];
  let p = path;
  for (;;) {
    try {
      const real = slashes(links.realpath(p));
      return rest.length ? `${real.replace(/\/$/, '')}/${rest.reverse().join('/')}` : real;
    } catch {
      /* missing, or a dangling link: below */
    }
    let target: string | undefined;
    try {
      target = slashes(links.readlink(p));
    } catch {
      /* not a link */
    }
    if (target !== undefined && depth < 40) {
      const dir = p.slice(0, p.lastIndexOf('/')) || '/';
      const next = /^(?:\/|[A-Za-z]:)/.test(target) ? target : (normalise(`${dir}/${target}`) ?? '/');
      return realpathOfMaybeMissing(rest.length ? `${next}/${rest.reverse().join('/')}` : next, links, depth + 1);
    }
    const cut = p.lastIndexOf('/');
    if (cut <= 0 || p.slice(0, cut) === (DRIVE.exec(p)?.[0] ?? '')) return path; // nothing of it exists
    rest.push(p.slice(cut + 1));
    p = p.slice(0, cut);
  }
}

/**
 * Where `value` (from the model at `modelPath`) points, or why it is refused. `root` is the folder the
 * file must stay in. With `realpath`, the returned path is the real one (links resolved).
 */
export function resolveContainedPath(modelPath: string, value: string, root: string, file: ContainedFile, links?: Links): Contained {
  // Relative paths would be read as if they started at the file system's root (normalise drops no leading '/').
  if (!ABSOLUTE.test(slashes(modelPath)) || !ABSOLUTE.test(slashes(root)))
    throw new Error(`internal: the containment rule needs absolute paths, got ${JSON.stringify(modelPath)} and ${JSON.stringify(root)}`);
  if (file.type && !file.type.pattern.test(value)) return { error: `${file.key} must name ${file.type.label}, found ${quote(value)}` };
  if (value.includes('\0') || /^(?:[\\/]|[A-Za-z]:)/.test(value))
    return { error: `${file.key} must be a path relative to the model file, found ${quote(value)}` };
  const modelDir = slashes(modelPath).replace(/\/[^/]*$/, '');
  const lexical = normalise(`${modelDir}/${value}`);
  const top = normalise(root);
  if (lexical === null || top === null || !isInside(lexical, top)) return { error: `${file.key} (${quote(value)}) points outside ${root}` };
  if (lexical === top) return { error: `${file.key} (${quote(value)}) names the folder ${root}, not a file in it` };
  if (!links) return { path: lexical };
  const realRoot = realpathOfMaybeMissing(top, links);
  const real = realpathOfMaybeMissing(lexical, links);
  if (!isInside(real, realRoot)) return { error: `${file.key} (${quote(value)}) leads outside ${root} through a symbolic link (to ${quote(real)})` };
  if (real === realRoot) return { error: `${file.key} (${quote(value)}) names the folder ${root}, not a file in it` };
  return { path: real };
}

/** The sidecar of a model without a `weights` key: NAME.safetensors beside NAME.nn.json (or NAME.json). */
export function defaultSidecarName(modelPath: string): string {
  const base = slashes(modelPath).split('/').pop() ?? '';
  return `${base.replace(/(?:\.nn)?\.json$/i, '')}.safetensors`;
}

export const SIDECAR_FILE: ContainedFile = { key: '"weights"', type: { pattern: /\.safetensors$/i, label: 'a .safetensors file' } };
export const DATASET_FILE: ContainedFile = { key: 'training.dataset.path' };
