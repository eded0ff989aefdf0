/**
 * What both export targets share: the file header, identifier allocation for node ids, and how values
 * are written as TypeScript literals and comments.
 */
import type { Dim, TensorType } from '../graph/types';

/** Words that cannot name a local variable in a strict-mode ES module, and globals not to shadow. */
const RESERVED = new Set([
  'arguments',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'eval',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'let',
  'new',
  'null',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'undefined',
  'NaN',
  'Infinity',
  'globalThis',
  'Math',
  'Error',
  'Number',
  'Object',
  'Array',
  'String',
  'Float32Array',
  'Float64Array',
  'Int32Array',
  'Int16Array',
  'Uint8Array',
  'DataView',
  'RangeError',
  'TypeError',
  'JSON',
]);

/**
 * Local variable names for node ids: the id itself where it is free, otherwise the id with `_`
 * appended until it is (so `class` becomes `class_`). `taken` holds the module's own names.
 */
export function allocateNames(ids: readonly string[], taken: Iterable<string>): Map<string, string> {
  return uniqueNames(ids, [...RESERVED, ...taken]);
}

/** Each id, or the id with `_` appended until it is neither taken nor another id: any language's local names. */
export function uniqueNames(ids: readonly string[], taken: Iterable<string>): Map<string, string> {
  const used = new Set<string>(taken);
  const out = new Map<string, string>();
  const want = new Set(ids);
  for (const id of ids) {
    let name = id;
    while (used.has(name) || (name !== id && want.has(name))) name += '_';
    used.add(name);
    out.set(id, name);
  }
  return out;
}

/** Text safe inside a line comment: one line. */
export function commentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** An object-literal key for an id: `__proto__` would set the prototype, so it is written computed. */
export function propKey(id: string): string {
  return id === '__proto__' ? "['__proto__']" : id;
}

/** `{ a, b: b_ }`: an object literal of ids and the locals holding them. */
export function objectOf(entries: readonly [string, string][]): string {
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => (k === v && k !== '__proto__' ? k : `${propKey(k)}: ${v}`)).join(', ')} }`;
}

/** A string literal with single quotes. */
export function str(s: string): string {
  return `'${s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;
}

/** A number literal (shortest round-trip form). */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a literal`);
  return Object.is(v, -0) ? '0' : String(v);
}

/** A JSON-like value as a TypeScript literal (single-quoted strings, unquoted identifier keys). */
export function literal(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string') return str(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, x]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k)}: ${literal(x)}`).join(', ')} }`;
  }
  throw new Error(`cannot write ${typeof v} as a literal`);
}

/** `[N, 2]`, `[N]`, `[]` (scalar): a static shape as documentation. */
export function shapeDoc(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

/** `float32 [N, 2]`. */
export function typeDoc(t: TensorType): string {
  return `${t.dtype} ${shapeDoc(t.shape)}`;
}

export interface HeaderInfo {
  generator: string;
  modelName: string | undefined;
  formatVersion: number;
  /** Lines describing the target, weights and interface; '' for a blank comment line. */
  body: string[];
}

/**
 * Follows the header: the code uses ES2020's library (Math.fround, Map, Object.entries...), which a
 * project compiled with tsc's defaults (target ES5) does not declare; the directive makes the module
 * type-check there too (`tsc --strict --noEmit model.ts` with no tsconfig.json).
 */
export const LIB_REFERENCE = '/// <reference lib="es2020" />';

/** The header comment every exported module starts with. Deterministic: no dates, no paths. */
export function header(info: HeaderInfo): string {
  const name = info.modelName === undefined || info.modelName === '' ? '(unnamed)' : JSON.stringify(info.modelName);
  const lines = [
    `Generated by ${info.generator}. Do not edit: export the model again instead.`,
    `Model: ${name} (nn-graph format version ${info.formatVersion})`,
    ...info.body,
  ];
  return lines.map((l) => (l === '' ? '//' : `// ${commentText(l)}`)).join('\n');
}

/** Join blocks of code with one blank line between them, and end with a newline. */
export function joinBlocks(blocks: readonly (string | null | undefined | false)[]): string {
  const text = blocks.filter((b): b is string => typeof b === 'string' && b.length > 0).join('\n\n') + '\n';
  // Formatting guarantees: no trailing spaces, no tabs.
  return text.replace(/[ \t]+$/gm, '');
}

/** A row of aligned two-column lines, for the header's tables. */
export function table(rows: readonly [string, string][], prefix = '  '): string[] {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${prefix}${a.padEnd(width)}  ${b}`);
}
