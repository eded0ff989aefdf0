/**
 * Writing Python source: literals, identifiers, and which node ids can be plain attributes of an
 * nn.Module. Shared by the files of the `pytorch` target.
 */
import { uniqueNames } from '../header';

/** Python's keywords: never a local or an attribute name (`self.in` is a syntax error). */
export const PY_KEYWORDS: ReadonlySet<string> = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

/**
 * Public attributes of nn.Module (torch 1.13 to 2.x). A layer whose id is one of them cannot be `self.<id>`: the
 * attribute would shadow the module (`self.training` is the mode flag), and add_module refuses the name.
 */
export const MODULE_MEMBERS: ReadonlySet<string> = new Set([
  'T_destination',
  'add_module',
  'apply',
  'bfloat16',
  'buffers',
  'call_super_init',
  'children',
  'compile',
  'cpu',
  'cuda',
  'double',
  'dump_patches',
  'eval',
  'extra_repr',
  'float',
  'forward',
  'get_buffer',
  'get_extra_state',
  'get_parameter',
  'get_submodule',
  'half',
  'ipu',
  'load_state_dict',
  'modules',
  'mtia',
  'named_buffers',
  'named_children',
  'named_modules',
  'named_parameters',
  'parameters',
  'register_backward_hook',
  'register_buffer',
  'register_forward_hook',
  'register_forward_pre_hook',
  'register_full_backward_hook',
  'register_full_backward_pre_hook',
  'register_load_state_dict_post_hook',
  'register_load_state_dict_pre_hook',
  'register_module',
  'register_parameter',
  'register_state_dict_post_hook',
  'register_state_dict_pre_hook',
  'requires_grad_',
  'set_extra_state',
  'set_submodule',
  'share_memory',
  'state_dict',
  'to',
  'to_empty',
  'train',
  'training',
  'type',
  'xpu',
  'zero_grad',
]);

/**
 * Whether a layer can be the plain attribute `self.<id>`: not a keyword, not an nn.Module member, not private
 * (`_modules`, and `__x`, which Python would mangle inside the class), nor one of the generated class's own names.
 */
export function plainAttribute(id: string, classNames: ReadonlySet<string>): boolean {
  return !PY_KEYWORDS.has(id) && !MODULE_MEMBERS.has(id) && !id.startsWith('_') && !classNames.has(id);
}

/** Why an id is registered by name rather than as `self.<id>`, for the comment on its line. */
export function whyNotPlain(id: string, classNames: ReadonlySet<string>): string {
  if (PY_KEYWORDS.has(id)) return `${id} is a Python keyword`;
  if (MODULE_MEMBERS.has(id)) return `nn.Module has a member ${id}`;
  if (id.startsWith('__')) return 'Python would mangle self.__ names';
  if (id.startsWith('_')) return 'a private name, as nn.Module keeps its own';
  if (classNames.has(id)) return `model.py defines ${id}`;
  return 'not a plain attribute';
}

/**
 * Local variable names for node ids: the id where it is free, otherwise the id with `_` appended until it is
 * (`in` becomes `in_`). `taken`: the names the generated code itself uses.
 */
export function pythonLocals(ids: readonly string[], taken: Iterable<string>): Map<string, string> {
  return uniqueNames(ids, [...PY_KEYWORDS, ...taken]);
}

/** A single-quoted Python string literal. */
export function pyStr(s: string): string {
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `'${body}'`;
}

/** A number as Python reads it back exactly (JavaScript's shortest round-trip form is valid Python). */
export function pyNum(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a Python literal`);
  return Object.is(v, -0) ? '0' : String(v);
}

/** A float attribute: always with a point or exponent, so `eps=1` reads `eps=1.0`. */
export function pyFloat(v: number): string {
  const s = pyNum(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

export const pyBool = (v: unknown): string => (v ? 'True' : 'False');

/** `(1,)`, `(2, 3)`, `()`. */
export function pyTuple(xs: readonly (number | string)[]): string {
  const items = xs.map((x) => (typeof x === 'number' ? pyNum(x) : x));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** A kernel/stride/padding pair as PyTorch takes it: one number when both sides agree. */
export const pyPair = ([h, w]: readonly [number, number]): string => (h === w ? pyNum(h) : pyTuple([h, w]));

/** Text safe inside a `#` comment: one line. */
export const pyComment = (s: string): string => s.replace(/[\r\n\u2028\u2029]+/g, ' ');
