/**
 * Safetensors: reading and writing the sidecar weights file, as bytes (the engine never touches paths).
 *
 * Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON header
 *   { "__metadata__": { "k": "v" }, "<key>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ... }
 * with offsets relative to the first byte after the header, then the tensor data, little-endian and
 * tightly packed. Only F32 and I32 are supported: the model format holds float32 values and int32 indices.
 *
 * Writing is deterministic: tensors in code-point order of their keys, both in the header and in the
 * data, `__metadata__` first, and the header padded with spaces to a multiple of 8 bytes (as the
 * reference implementation does, so the data starts aligned).
 *
 * Reading treats the bytes as untrusted. It checks everything the reference implementation checks
 * (header size, JSON, dtypes, shapes, offsets matching shape × dtype size, the data covered exactly,
 * with no gaps, overlaps or trailing bytes) and throws a SafetensorsError naming the key at fault. It
 * returns fresh, aligned copies, never views into the input, and allocates no more for the tensor
 * data than the input's length.
 */
import { utf8Decode, utf8Encode } from './utf8';

export type SafetensorsDType = 'F32' | 'I32';

export interface TensorRecord {
  dtype: SafetensorsDType;
  shape: number[];
  data: Float32Array | Int32Array;
}

export type TensorRecords = Record<string, TensorRecord>;

export interface SafetensorsFile {
  tensors: TensorRecords;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** The reference implementation's cap on the header (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const BYTES_PER_ELEMENT = 4; // both F32 and I32
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Writing

export function encodeSafetensors(tensors: TensorRecords, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new SafetensorsError('tensors must be an object mapping keys to tensors');
  }
  const keys = Object.keys(tensors).sort(compareCodePoints);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new SafetensorsError(`${METADATA_KEY} must be an object mapping keys to strings`);
    }
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort(compareCodePoints)) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new SafetensorsError(`metadata '${k}' must be a string, not ${describe(v)}`);
      setOwn(meta, k, v);
    }
    header[METADATA_KEY] = meta;
  }

  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const key of keys) {
    if (key === METADATA_KEY) throw new SafetensorsError(`'${METADATA_KEY}' is reserved and cannot name a tensor`);
    const t = tensors[key];
    if (t === null || typeof t !== 'object') throw new SafetensorsError(`tensor '${key}' must be an object with dtype, shape and data`);
    const { dtype, shape, data } = t;
    if (dtype !== 'F32' && dtype !== 'I32') {
      throw new SafetensorsError(`tensor '${key}' has dtype ${String(dtype)}; only F32 and I32 are supported`);
    }
    if (dtype === 'F32' && !(data instanceof Float32Array)) throw new SafetensorsError(`tensor '${key}' has dtype F32 but its data is not a Float32Array`);
    if (dtype === 'I32' && !(data instanceof Int32Array)) throw new SafetensorsError(`tensor '${key}' has dtype I32 but its data is not an Int32Array`);
    const count = checkShape(key, shape);
    if (count !== data.length) {
      throw new SafetensorsError(`tensor '${key}' has ${data.length} values but shape [${shape.join(', ')}] needs ${count}`);
    }
    const bytes = toLittleEndianBytes(data);
    setOwn(header, key, { dtype, shape: shape.map((d) => d + 0), data_offsets: [offset, offset + bytes.length] });
    offset += bytes.length;
    chunks.push(bytes);
  }

  const json = utf8Encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true); // high 32 bits stay 0: a header never approaches 4 GiB
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The element count of a shape, or an error naming the key. */
function checkShape(key: string, shape: unknown): number {
  if (!Array.isArray(shape)) throw new SafetensorsError(`tensor '${key}' has a shape that is not an array: ${describe(shape)}`);
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(`tensor '${key}' has shape entry ${i} = ${describe(d)}; dimensions must be non-negative integers`);
    }
    count *= d;
  }
  if (!Number.isSafeInteger(count * BYTES_PER_ELEMENT)) {
    throw new SafetensorsError(`tensor '${key}' has shape [${shape.join(', ')}], too large to address`);
  }
  return count;
}

function toLittleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST) return bytes;
  const copy = bytes.slice();
  swap32(copy);
  return copy;
}

function swap32(b: Uint8Array): void {
  for (let i = 0; i + 3 < b.length; i += 4) {
    const a0 = b[i],
      a1 = b[i + 1];
    b[i] = b[i + 3];
    b[i + 1] = b[i + 2];
    b[i + 2] = a1;
    b[i + 3] = a0;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Entry {
  key: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError('safetensors input must be a Uint8Array');
  if (bytes.length < 8) {
    throw new SafetensorsError(`file is ${bytes.length} bytes, too short for the 8-byte header length that starts a safetensors file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen > MAX_HEADER_BYTES) {
    throw new SafetensorsError(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit; this is not a safetensors file or it is corrupt`);
  }
  if (headerLen > bytes.length - 8) {
    throw new SafetensorsError(
      `header length ${headerLen} is larger than the ${bytes.length - 8} bytes after the length field; the file is truncated or corrupt`,
    );
  }
  if (headerLen === 0 || bytes[8] !== 0x7b /* { */) {
    throw new SafetensorsError('header does not start with "{"; this is not a safetensors file or it is corrupt');
  }
  const decoded = utf8Decode(bytes.subarray(8, 8 + headerLen));
  if (!decoded.ok) throw new SafetensorsError(`header is not valid UTF-8 (at byte ${8 + decoded.offset})`);
  let header: unknown;
  try {
    header = JSON.parse(decoded.text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(`header must be a JSON object, not ${describe(header)}`);
  }

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const key of Object.keys(header)) {
    const raw: unknown = (header as Record<string, unknown>)[key];
    if (key === METADATA_KEY) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new SafetensorsError(`'${METADATA_KEY}' must be an object mapping keys to strings, not ${describe(raw)}`);
      }
      for (const mk of Object.keys(raw)) {
        const v: unknown = (raw as Record<string, unknown>)[mk];
        if (typeof v !== 'string') throw new SafetensorsError(`metadata '${mk}' must be a string, not ${describe(v)}`);
        setOwn(metadata, mk, v);
      }
      continue;
    }
    entries.push(parseEntry(key, raw, dataLen));
  }

  // The data must be covered exactly: sorted by offsets, each tensor starts where the last ended,
  // and the last ends at the end of the file.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let prev: Entry | null = null;
  for (const e of entries) {
    if (e.begin < expected) {
      throw new SafetensorsError(`tensor '${e.key}' (bytes ${e.begin}..${e.end}) overlaps tensor '${prev!.key}' (bytes ${prev!.begin}..${prev!.end})`);
    }
    if (e.begin > expected) {
      throw new SafetensorsError(
        `tensor '${e.key}' starts at byte ${e.begin} but ${prev ? `tensor '${prev.key}' ends at byte ${expected}` : 'the data starts at byte 0'}; ` +
          `the ${e.begin - expected} bytes between belong to no tensor`,
      );
    }
    expected = e.end;
    prev = e;
  }
  if (expected !== dataLen) {
    throw new SafetensorsError(
      `${dataLen - expected} bytes after ${prev ? `tensor '${prev.key}'` : 'the header'} belong to no tensor; ` +
        `the data is ${dataLen} bytes but the tensors cover ${expected}`,
    );
  }

  const tensors: TensorRecords = {};
  for (const e of entries) {
    const n = e.end - e.begin;
    const buf = new ArrayBuffer(n);
    const copy = new Uint8Array(buf);
    copy.set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    if (!LITTLE_ENDIAN_HOST) swap32(copy);
    const data = e.dtype === 'F32' ? new Float32Array(buf) : new Int32Array(buf);
    setOwn<TensorRecord>(tensors, e.key, { dtype: e.dtype, shape: e.shape, data });
  }
  // Keys in the order the header listed them is lost to the sort above; give them back in code-point order.
  return { tensors: sortedRecord(tensors), metadata };
}

function parseEntry(key: string, raw: unknown, dataLen: number): Entry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SafetensorsError(`tensor '${key}' must be an object with dtype, shape and data_offsets, not ${describe(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.prototype.hasOwnProperty.call(r, field)) throw new SafetensorsError(`tensor '${key}' has no ${field}`);
  }
  const dtype = r.dtype;
  if (typeof dtype !== 'string') throw new SafetensorsError(`tensor '${key}' has a dtype that is not a string: ${describe(dtype)}`);
  if (dtype !== 'F32' && dtype !== 'I32') {
    throw new SafetensorsError(`tensor '${key}' has dtype ${clip(dtype)}; only F32 and I32 are supported`);
  }
  const count = checkShape(key, r.shape);
  const shape = (r.shape as number[]).map((d) => d + 0); // + 0 turns a -0 into 0
  const offsets = r.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new SafetensorsError(`tensor '${key}' has data_offsets ${describe(offsets)}; expected [begin, end]`);
  }
  const [begin, end] = offsets as unknown[];
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < 0) {
    throw new SafetensorsError(`tensor '${key}' has data_offsets [${describe(begin)}, ${describe(end)}]; offsets must be non-negative integers`);
  }
  if (end < begin) throw new SafetensorsError(`tensor '${key}' has data_offsets [${begin}, ${end}]: end before begin`);
  if (end > dataLen) {
    throw new SafetensorsError(
      `tensor '${key}' has data_offsets [${begin}, ${end}] past the end of the data (${dataLen} bytes); the file is truncated or corrupt`,
    );
  }
  const size = count * BYTES_PER_ELEMENT;
  if (end - begin !== size) {
    throw new SafetensorsError(
      `tensor '${key}' has data_offsets [${begin}, ${end}] (${end - begin} bytes) but shape [${shape.join(', ')}] of ${dtype} needs ${size} bytes`,
    );
  }
  return { key, dtype, shape, begin: begin + 0, end: end + 0 };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Assign an own, enumerable property, even for a key such as "__proto__". */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function sortedRecord<T>(rec: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(rec).sort(compareCodePoints)) setOwn(out, k, rec[k]);
  return out;
}

/** Order by Unicode code point, which is also the byte order of the UTF-8 encodings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!,
      y = b.codePointAt(i)!;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

function clip(s: string): string {
  return s.length > 40 ? JSON.stringify(s.slice(0, 40) + '…') : s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    let s: string;
    try {
      s = JSON.stringify(v) ?? 'an array';
    } catch {
      s = 'an array';
    }
    return s.length > 60 ? s.slice(0, 60) + '…]' : s;
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  if (v === undefined) return 'missing';
  return String(v);
}
