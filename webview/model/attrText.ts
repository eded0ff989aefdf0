// Attribute values as the inspector's text fields show them, and typed text back into values, checked with
// the engine's own checkAttr (so the inspector accepts exactly what the engine accepts).
import { checkAttr, type AttrSpec, type AttrValue } from '../../engine/graph/attrs';

/** `16`, `0.01`, `2, 3` (lists without brackets), `[]` for an empty shape, `true`, `"tanh"` as tanh. */
export function formatAttr(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.join(', ')}]`;
  if (v === undefined || v === null) return '';
  return String(v);
}

/** The text to put in a field for a value (lists without brackets, which the parser accepts back). */
export function attrFieldText(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : v.join(', ');
  return formatAttr(v);
}

export type ParsedAttr = { ok: true; value: AttrValue | null } | { ok: false; error: string };

/** What a field shows when empty: the default, or whether the attribute is optional or required. */
export function attrPlaceholder(spec: AttrSpec): string {
  if (spec.default !== undefined) return `${attrFieldText(spec.default)} (default)`;
  return spec.optional ? 'optional' : 'required';
}

function parseNumberList(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  const parts = t.split(/[\s,×x]+/).filter((p) => p !== '');
  const nums = parts.map((p) => (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(p) ? Number(p) : NaN));
  if (nums.some((n) => Number.isNaN(n))) return text;
  return nums.length === 1 ? nums[0] : nums;
}

/**
 * Parses a field's text for an attribute. Empty text means "leave it out" (null: the default applies), which
 * is refused for a required attribute. Lists may be written `2, 3` or `[2, 3]`.
 */
export function parseAttrText(spec: AttrSpec, text: string): ParsedAttr {
  const t = text.trim();
  if (t === '') {
    if (spec.default === undefined && !spec.optional) return { ok: false, error: `${spec.name} is required: ${spec.doc}` };
    return { ok: true, value: null };
  }
  let value: unknown;
  switch (spec.type.kind) {
    case 'int':
    case 'float':
    case 'dim':
      value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t;
      break;
    case 'bool':
      value = t === 'true' ? true : t === 'false' ? false : t;
      break;
    case 'enum':
      value = t;
      break;
    case 'shape': {
      const v = parseNumberList(t);
      value = typeof v === 'number' ? [v] : v;
      break;
    }
    case 'pair':
    case 'dims':
      value = parseNumberList(t);
      break;
  }
  const problem = checkAttr(spec.type, value);
  if (problem) return { ok: false, error: `${spec.name} ${problem}` };
  return { ok: true, value: value as AttrValue };
}
