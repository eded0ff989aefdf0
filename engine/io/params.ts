/**
 * The model file's inline `params`: `{ "<nodeId>.<name>": { "shape": [...], "data": [...] } }`, row-major
 * float32 values, converted to and from the tensor records that safetensors I/O uses, and merged
 * with the sidecar's (`params` wins where both hold a key, as the format says).
 *
 * Everything read here comes from a file a person may have edited by hand: each problem is reported
 * as a ParamsError naming the key (and the index of a bad value).
 */
import { compareCodePoints, type TensorRecord, type TensorRecords } from './safetensors';

export class ParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamsError';
  }
}

/** One inline tensor, as it appears in the model file. */
export interface InlineTensor {
  shape: number[];
  data: number[];
}

export type InlineParams = Record<string, InlineTensor>;

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Parse the `params` value of a model file (already JSON-parsed, so `unknown`) into F32 tensor
 * records, validating every key. Values are rounded to float32, as the format says they are.
 * The `where` prefix names the place in messages (default "params").
 */
export function paramsFromJson(json: unknown, where = 'params'): TensorRecords {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ParamsError(`${where} must be an object mapping keys to { "shape": [...], "data": [...] }, not ${describe(json)}`);
  }
  const out: TensorRecords = {};
  for (const key of Object.keys(json)) {
    const raw: unknown = (json as Record<string, unknown>)[key];
    setOwn(out, key, tensorFromJson(raw, `${where} '${key}'`));
  }
  return out;
}

function tensorFromJson(raw: unknown, what: string): TensorRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ParamsError(`${what} must be an object { "shape": [...], "data": [...] }, not ${describe(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(r, 'shape')) throw new ParamsError(`${what} has no shape`);
  if (!Object.prototype.hasOwnProperty.call(r, 'data')) throw new ParamsError(`${what} has no data`);
  const shape = checkShape(r.shape, what);
  const count = shape.reduce((a, d) => a * d, 1);
  const data = r.data;
  if (!Array.isArray(data)) throw new ParamsError(`${what} has data that is not an array: ${describe(data)}`);
  if (data.length !== count) {
    throw new ParamsError(`${what} has ${data.length} values but shape [${shape.join(', ')}] needs ${count}`);
  }
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number') {
      const hint = Array.isArray(v) ? ' (data must be a flat, row-major list)' : '';
      throw new ParamsError(`${what} has a non-numeric value at data[${i}]: ${describe(v)}${hint}`);
    }
    if (!Number.isFinite(v)) throw new ParamsError(`${what} has a non-finite value at data[${i}]: ${v}`);
    const f = Math.fround(v);
    if (!Number.isFinite(f)) throw new ParamsError(`${what} has value ${v} at data[${i}], outside the float32 range (±${FLOAT32_MAX})`);
    values[i] = f;
  }
  return { dtype: 'F32', shape, data: values };
}

function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape)) throw new ParamsError(`${what} has a shape that is not an array: ${describe(shape)}`);
  const out: number[] = [];
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ParamsError(`${what} has shape entry ${i} = ${describe(d)}; dimensions must be non-negative integers`);
    }
    count *= d;
    out.push(d + 0); // + 0 turns a -0 into 0
  }
  if (!Number.isSafeInteger(count)) throw new ParamsError(`${what} has shape [${out.join(', ')}], too large`);
  return out;
}

/**
 * Tensor records to the inline `params` form, keys in code-point order. Each value is written as the
 * shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612), so the file
 * stays readable and reading it back is exact, except that -0 is written as 0 (JSON has no -0).
 * Only F32 tensors with finite values can be written: JSON has no NaN or Infinity, and inline params
 * are float32; anything else throws a ParamsError naming the key.
 */
export function paramsToJson(tensors: TensorRecords, where = 'params'): InlineParams {
  const out: InlineParams = {};
  for (const key of Object.keys(tensors).sort(compareCodePoints)) {
    const t = tensors[key];
    const what = `${where} '${key}'`;
    if (t === null || typeof t !== 'object') throw new ParamsError(`${what} must be a tensor record, not ${describe(t)}`);
    if (t.dtype !== 'F32' || !(t.data instanceof Float32Array)) {
      throw new ParamsError(`${what} has dtype ${String(t.dtype)}; inline params hold float32 (F32) values only`);
    }
    const shape = checkShape(t.shape, what);
    const count = shape.reduce((a, d) => a * d, 1);
    if (t.data.length !== count) throw new ParamsError(`${what} has ${t.data.length} values but shape [${shape.join(', ')}] needs ${count}`);
    const data = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const v = t.data[i];
      if (!Number.isFinite(v)) throw new ParamsError(`${what} has ${v} at data[${i}], which JSON cannot represent`);
      data[i] = shortestFloat32(v);
    }
    setOwn(out, key, { shape, data });
  }
  return out;
}

/** The shortest decimal that rounds to the same float32 as `v` (a float32 value). */
export function shortestFloat32(v: number): number {
  if (v === 0) return 0;
  // Rounding to p + 1 digits is never farther from v than rounding to p digits, so whether p digits
  // read back is monotone in p. Most trained weights need 8 or 9 digits: start at 7 and walk.
  const at = (p: number) => Number(v.toPrecision(p));
  let best = at(7);
  if (Math.fround(best) === v) {
    for (let p = 6; p >= 1; p--) {
      const d = at(p);
      if (Math.fround(d) !== v) break;
      best = d;
    }
    return best;
  }
  best = at(8);
  return Math.fround(best) === v ? best : at(9); // 9 significant digits always round-trip a float32
}

/**
 * The parameters a model starts from: the sidecar's (`weights`) and the inline `params`, where the
 * inline value wins for a key present in both. Neither input is modified; the tensors are shared.
 */
export function mergeParams(sidecar: TensorRecords | undefined | null, inline: TensorRecords | undefined | null): TensorRecords {
  const out: TensorRecords = {};
  for (const src of [sidecar, inline]) {
    if (!src) continue;
    for (const key of Object.keys(src)) setOwn(out, key, src[key]);
  }
  return out;
}

/** Assign an own, enumerable property, even for a key such as "__proto__". */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
