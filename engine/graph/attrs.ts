/**
 * Attribute types of the op registry: one description drives validation, defaults, the inspector's
 * typed fields and the JSON Schema.
 */

export type AttrType =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'float'; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  /** Shape without the batch dim; allowMinusOne for Reshape. */
  | { kind: 'shape'; allowMinusOne?: boolean }
  /** A positive (or non-negative) int or [h, w]. */
  | { kind: 'pair'; min: number }
  /** A dim of the run-time tensor, negative from the end. */
  | { kind: 'dim' }
  /** One dim or a list of dims. */
  | { kind: 'dims' };

export type AttrValue = number | boolean | string | number[];

export interface AttrSpec {
  name: string;
  type: AttrType;
  /** Undefined: required (or, with optional, may be left out meaning "not given"). */
  default?: AttrValue;
  optional?: boolean;
  doc: string;
}

export type Attrs = Record<string, AttrValue | undefined>;

const MAX_DIM = 2 ** 31 - 1;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * JSON.stringify for messages about untrusted values: never throws (JSON.stringify recurses, so a value
 * nested a hundred thousand deep overflows the stack, and a cyclic object throws), and stops early.
 */
export function safeStringify(v: unknown, maxLength = 200): string {
  let out = '';
  const seen = new Set<object>();
  const walk = (x: unknown, depth: number): void => {
    if (out.length > maxLength) return;
    if (x === null || typeof x === 'number' || typeof x === 'boolean') {
      out += String(x);
    } else if (typeof x === 'string') {
      out += JSON.stringify(x.length > maxLength ? x.slice(0, maxLength) : x);
    } else if (typeof x === 'object') {
      if (seen.has(x) || depth > 20) {
        out += Array.isArray(x) ? '[...]' : '{...}';
        return;
      }
      seen.add(x);
      if (Array.isArray(x)) {
        out += '[';
        for (let i = 0; i < x.length && out.length <= maxLength; i++) {
          if (i) out += ',';
          walk(x[i], depth + 1);
        }
        out += ']';
      } else {
        out += '{';
        let first = true;
        for (const k of Object.keys(x)) {
          if (out.length > maxLength) break;
          if (!first) out += ',';
          first = false;
          out += JSON.stringify(k) + ':';
          walk((x as Record<string, unknown>)[k], depth + 1);
        }
        out += '}';
      }
      seen.delete(x);
    } else {
      out += typeof x === 'bigint' ? `${x}` : typeof x === 'undefined' ? 'undefined' : `[${typeof x}]`;
    }
  };
  try {
    walk(v, 0);
  } catch {
    // A hostile object (a Proxy, a throwing getter): say what we have so far.
    out += '...';
  }
  return out;
}

function show(v: unknown): string {
  const s = safeStringify(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Returns an error message ("must be …, found …") or null when v fits the type. */
export function checkAttr(type: AttrType, v: unknown): string | null {
  switch (type.kind) {
    case 'int':
      if (!isInt(v)) return `must be an integer, found ${show(v)}`;
      if (type.min !== undefined && v < type.min) return `must be at least ${type.min}, found ${v}`;
      if (type.max !== undefined && v > type.max) return `must be at most ${type.max}, found ${v}`;
      return null;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a finite number, found ${show(v)}`;
      if (type.min !== undefined && (type.minExclusive ? v <= type.min : v < type.min))
        return `must be ${type.minExclusive ? 'greater than' : 'at least'} ${type.min}, found ${v}`;
      if (type.max !== undefined && (type.maxExclusive ? v >= type.max : v > type.max))
        return `must be ${type.maxExclusive ? 'less than' : 'at most'} ${type.max}, found ${v}`;
      return null;
    case 'bool':
      return typeof v === 'boolean' ? null : `must be true or false, found ${show(v)}`;
    case 'enum':
      return typeof v === 'string' && type.values.includes(v) ? null : `must be one of ${type.values.map((x) => `"${x}"`).join(', ')}, found ${show(v)}`;
    case 'shape': {
      if (!Array.isArray(v)) return `must be an array of dimensions (without the batch), found ${show(v)}`;
      if (v.length > 8) return `may have at most 8 dimensions, found ${v.length}`;
      if (!v.every((d) => isInt(d) && ((d >= 1 && d <= MAX_DIM) || (type.allowMinusOne && d === -1)))) {
        return `must hold positive integers${type.allowMinusOne ? ' (and at most one -1)' : ''}, found ${show(v)}`;
      }
      if (type.allowMinusOne && v.filter((d) => d === -1).length > 1) return `may hold at most one -1, found ${show(v)}`;
      return null;
    }
    case 'pair': {
      const ok = (d: unknown) => isInt(d) && d >= type.min && d <= 4096;
      if (ok(v) || (Array.isArray(v) && v.length === 2 && v.every(ok))) return null;
      return `must be an integer ≥ ${type.min} (at most 4096) or a pair [h, w] of them, found ${show(v)}`;
    }
    case 'dim':
      return isInt(v) && Math.abs(v) <= 16 ? null : `must be an integer dimension (negative counts from the end), found ${show(v)}`;
    case 'dims':
      if (isInt(v) && Math.abs(v) <= 16) return null;
      if (Array.isArray(v) && v.length > 0 && v.length <= 16 && v.every((d) => isInt(d) && Math.abs(d) <= 16)) return null;
      return `must be a dimension or a list of dimensions, found ${show(v)}`;
  }
}

/** JSON Schema for one attribute type. */
export function attrSchema(spec: AttrSpec): Record<string, unknown> {
  const t = spec.type;
  const base: Record<string, unknown> = { description: spec.doc };
  if (spec.default !== undefined) base.default = spec.default;
  const intSchema = (min?: number, max?: number) => ({
    type: 'integer',
    ...(min !== undefined ? { minimum: min } : {}),
    ...(max !== undefined ? { maximum: max } : {}),
  });
  switch (t.kind) {
    case 'int':
      return { ...base, ...intSchema(t.min, t.max) };
    case 'float':
      return {
        ...base,
        type: 'number',
        ...(t.min !== undefined ? (t.minExclusive ? { exclusiveMinimum: t.min } : { minimum: t.min }) : {}),
        ...(t.max !== undefined ? (t.maxExclusive ? { exclusiveMaximum: t.max } : { maximum: t.max }) : {}),
      };
    case 'bool':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, enum: [...t.values] };
    case 'shape':
      return { ...base, type: 'array', maxItems: 8, items: t.allowMinusOne ? { type: 'integer', anyOf: [{ minimum: 1 }, { const: -1 }] } : intSchema(1) };
    case 'pair':
      return { ...base, anyOf: [intSchema(t.min, 4096), { type: 'array', items: intSchema(t.min, 4096), minItems: 2, maxItems: 2 }] };
    case 'dim':
      return { ...base, ...intSchema(-16, 16) };
    case 'dims':
      return { ...base, anyOf: [intSchema(-16, 16), { type: 'array', items: intSchema(-16, 16), minItems: 1 }] };
  }
}
