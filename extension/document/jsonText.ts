/**
 * Layout-preserving edits of JSON text, on jsonc-parser's syntax tree (offsets of every value, key and
 * property). Each helper returns text edits against the text the tree was parsed from; they only touch
 * what changes and copy the file's own separators, indentation and line endings for anything they insert,
 * so a hand-formatted file keeps its formatting and a diff shows only the lines that changed.
 *
 * jsonc-parser's own `modify` is not used for insertions: it re-formats the whole enclosing value (a node
 * written on one line becomes ten), which is the churn this module exists to avoid.
 * Pure: no `vscode` import.
 */
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { compactJson } from '../format';

export type { Node as JsonNode } from 'jsonc-parser';

/** Replace `length` characters at `offset` with `content`. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/** How the file is written: its line ending, one level of indentation, and whether it is minified. */
export interface TextStyle {
  eol: string;
  indent: string;
  /** No whitespace at all between tokens (`{"a":1,"b":[1,2]}`): new values are written the same way. */
  minified: boolean;
}

export function detectStyle(text: string): TextStyle {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  // The first indented line sets the unit (in a formatted model that is a top-level key, one level deep).
  const m = /\n([ \t]+)\S/.exec(text);
  let indent = '  ';
  if (m) indent = m[1]!.startsWith('\t') ? '\t' : ' '.repeat(Math.min(m[1]!.length, 8));
  const minified = !/[\r\n]/.test(text) && /^\s*\{\s*"(?:[^"\\]|\\.)*":\S/.test(text) && !/,\s/.test(text.slice(0, 400));
  return { eol, indent, minified };
}

export interface ParsedText {
  root: Node | undefined;
  errors: ParseError[];
}

/** Strict JSON: comments and trailing commas are errors, as they are for JSON.parse. */
export function parseJsonTree(text: string): ParsedText {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return { root, errors };
}

export function at(root: Node | undefined, path: (string | number)[]): Node | undefined {
  return root ? findNodeAtLocation(root, path) : undefined;
}

/** The property node `"key": value` of an object node. */
export function propertyOf(obj: Node | undefined, key: string): Node | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  return obj.children?.find((p) => p.children?.[0]?.value === key);
}

/** The value node of `obj[key]`. */
export function valueOf(obj: Node | undefined, key: string): Node | undefined {
  return propertyOf(obj, key)?.children?.[1];
}

export const end = (n: Node): number => n.offset + n.length;

/** Applies non-overlapping edits (any order). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.offset < pos) throw new Error(`overlapping text edits at ${e.offset}`);
    out += text.slice(pos, e.offset) + e.content;
    pos = e.offset + e.length;
  }
  return out + text.slice(pos);
}

/** The whitespace at the start of the line holding `offset`. */
function lineIndentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** Whether the value starts its own line (only whitespace, or a `"key": `, before it on the line). */
function isMultiline(text: string, n: Node): boolean {
  return text.slice(n.offset, end(n)).includes('\n');
}

/**
 * The whitespace that separates items of a container (after the comma), copied from the container itself:
 * between its last two items, else before its first item; `' '` when it has nothing to copy from.
 */
function itemSeparator(text: string, container: Node, style?: TextStyle): string {
  const items = container.children ?? [];
  if (items.length >= 2) {
    const between = text.slice(end(items[items.length - 2]!), items[items.length - 1]!.offset);
    const after = between.slice(between.indexOf(',') + 1);
    if (/^\s*$/.test(after)) return after;
  }
  if (items.length >= 1) {
    const lead = text.slice(container.offset + 1, items[0]!.offset);
    if (/^\s*$/.test(lead) && lead.includes('\n')) return lead;
  }
  return style?.minified ? '' : ' ';
}

/** Lines (eol + indent) for a new multi-line container whose opening bracket is at `openOffset`. */
function newBlockIndent(text: string, openOffset: number, style: TextStyle): { outer: string; inner: string } {
  const outer = lineIndentAt(text, openOffset);
  return { outer, inner: outer + style.indent };
}

export function replaceValue(n: Node, content: string): TextEdit {
  return { offset: n.offset, length: n.length, content };
}

/** A JSON value as the examples write it (one line, a space after ':' and ','), or minified in a minified file. */
export const valueText = (v: unknown, style?: TextStyle): string => (style?.minified ? JSON.stringify(v) : compactJson(v));

/**
 * Appends items (already formatted, one line each) to an array. In an array laid out one item a line the
 * new items get lines of their own with the same indentation; in a one-line array they go on that line.
 * An empty array becomes one item a line when its key starts a line of a multi-line file.
 */
export function appendToArray(text: string, arr: Node, items: readonly string[], style: TextStyle): TextEdit | undefined {
  if (items.length === 0) return undefined;
  const children = arr.children ?? [];
  if (children.length > 0) {
    const sep = ',' + itemSeparator(text, arr, style);
    return { offset: end(children[children.length - 1]!), length: 0, content: items.map((i) => sep + i).join('') };
  }
  return { offset: arr.offset, length: arr.length, content: formatArray(text, arr.offset, items, style, startsLine(text, arr)) };
}

/** Whether the property or value at `n` is the first thing on its line (a multi-line layout). */
function startsLine(text: string, n: Node): boolean {
  const prop = n.parent?.type === 'property' ? n.parent : n;
  const lineStart = text.lastIndexOf('\n', prop.offset - 1);
  return lineStart >= 0 && /^[ \t]*$/.test(text.slice(lineStart + 1, prop.offset));
}

function formatArray(text: string, openOffset: number, items: readonly string[], style: TextStyle, multiline: boolean): string {
  if (!multiline) return `[${items.join(style.minified ? ',' : ', ')}]`;
  const { outer, inner } = newBlockIndent(text, openOffset, style);
  return `[${style.eol}${items.map((i) => inner + i).join(',' + style.eol)}${style.eol}${outer}]`;
}

/**
 * Removes the items at `indices` from an array or the properties at `indices` from an object, keeping
 * the separators that stood before the items that stay, so every remaining line is untouched (except the
 * one that loses its trailing comma when the last item goes). Removing everything leaves `[]` / `{}`.
 */
export function removeItems(text: string, container: Node, indices: ReadonlySet<number>): TextEdit | undefined {
  const items = container.children ?? [];
  const kept = items.map((_, i) => i).filter((i) => !indices.has(i));
  if (kept.length === items.length) return undefined;
  if (kept.length === 0) return { offset: container.offset + 1, length: container.length - 2, content: '' };
  const first = items[0]!;
  const last = items[items.length - 1]!;
  let content = text.slice(items[kept[0]!]!.offset, end(items[kept[0]!]!));
  for (let j = 1; j < kept.length; j++) {
    const k = kept[j]!;
    content += text.slice(end(items[k - 1]!), items[k]!.offset) + text.slice(items[k]!.offset, end(items[k]!));
  }
  return { offset: first.offset, length: end(last) - first.offset, content };
}

/**
 * Inserts `"key": value` properties into an object, after the property named first in `after` that it has
 * (keeping a file's key order: `name` after `version`, `attrs` after `op`), else at the end. A value may be
 * a function of the property's indentation, for multi-line blocks (see `arrayBlock`).
 */
export function insertProperties(
  text: string,
  obj: Node,
  entries: readonly (readonly [string, string | ((indent: string) => string)])[],
  style: TextStyle,
  after?: readonly string[],
): TextEdit {
  const props = obj.children ?? [];
  const colon = style.minified ? ':' : ': ';
  const render = (indent: string) => entries.map(([k, v]) => `${JSON.stringify(k)}${colon}${typeof v === 'string' ? v : v(indent)}`);
  if (props.length === 0) {
    if (isMultiline(text, obj)) {
      const { outer, inner } = newBlockIndent(text, obj.offset, style);
      return {
        offset: obj.offset,
        length: obj.length,
        content: `{${style.eol}${render(inner)
          .map((p) => inner + p)
          .join(',' + style.eol)}${style.eol}${outer}}`,
      };
    }
    const inner = render(lineIndentAt(text, obj.offset));
    return { offset: obj.offset, length: obj.length, content: style.minified ? `{${inner.join(',')}}` : `{ ${inner.join(', ')} }` };
  }
  let anchor = props.length - 1;
  for (const a of after ?? []) {
    const i = props.findIndex((p) => p.children?.[0]?.value === a);
    if (i >= 0) {
      anchor = i;
      break;
    }
  }
  const ws = itemSeparator(text, obj, style);
  const indent = ws.includes('\n') ? ws.slice(ws.lastIndexOf('\n') + 1) : lineIndentAt(text, props[anchor]!.offset);
  return {
    offset: end(props[anchor]!),
    length: 0,
    content: render(indent)
      .map((p) => `,${ws}${p}`)
      .join(''),
  };
}

export function insertProperty(
  text: string,
  obj: Node,
  key: string,
  value: string | ((indent: string) => string),
  style: TextStyle,
  after?: readonly string[],
): TextEdit {
  return insertProperties(text, obj, [[key, value]], style, after);
}

/** A value for insertProperty: items one a line when the object is laid out one property a line. */
export function arrayBlock(text: string, obj: Node, items: readonly string[], style: TextStyle): (indent: string) => string {
  const multiline = isMultiline(text, obj);
  return (indent) =>
    multiline
      ? `[${style.eol}${items.map((i) => indent + style.indent + i).join(',' + style.eol)}${style.eol}${indent}]`
      : `[${items.join(style.minified ? ',' : ', ')}]`;
}

/** Sets `obj[key]` to an already formatted value: replaces the value, or inserts the property. */
export function setProperty(text: string, obj: Node, key: string, content: string, style: TextStyle, after?: readonly string[]): TextEdit | undefined {
  const v = valueOf(obj, key);
  if (v) return text.slice(v.offset, end(v)) === content ? undefined : replaceValue(v, content);
  return insertProperty(text, obj, key, content, style, after);
}

/** Removes `obj[key]` (and its separator). */
export function removeProperty(text: string, obj: Node, key: string): TextEdit | undefined {
  const props = obj.children ?? [];
  const i = props.findIndex((p) => p.children?.[0]?.value === key);
  return i < 0 ? undefined : removeItems(text, obj, new Set([i]));
}

/** The first key that appears twice in one object anywhere in the tree (JSON.parse keeps the last). */
export function findDuplicateKey(root: Node | undefined): { key: string; node: Node } | undefined {
  const stack: Node[] = root ? [root] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'object') {
      const seen = new Set<string>();
      for (const p of n.children ?? []) {
        const k = p.children?.[0];
        if (k && typeof k.value === 'string') {
          if (seen.has(k.value)) return { key: k.value, node: k };
          seen.add(k.value);
        }
        const v = p.children?.[1];
        if (v && (v.type === 'object' || v.type === 'array')) stack.push(v);
      }
    } else if (n.type === 'array') {
      for (const c of n.children ?? []) if (c.type === 'object' || c.type === 'array') stack.push(c);
    }
  }
  return undefined;
}
