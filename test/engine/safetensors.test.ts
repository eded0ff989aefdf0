import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, MAX_HEADER_BYTES, type TensorRecords } from '../../engine/io/safetensors';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const f32FromBits = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (a: Float32Array | Int32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A file from a header (object or raw JSON text) and data bytes; the header is not padded. */
function build(header: unknown, data: ArrayLike<number> = [], headerLen?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.length);
  return out;
}

function throwsNaming(bytes: Uint8Array, ...parts: (string | RegExp)[]): void {
  assert.throws(
    () => decodeSafetensors(bytes),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `expected a SafetensorsError, got ${String(e)}`);
      for (const p of parts) {
        if (typeof p === 'string') assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} should include ${JSON.stringify(p)}`);
        else assert.match(e.message, p);
      }
      return true;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Round trips

test('F32 round trip is bit-exact: NaN payloads, -0, denormals, infinities, extremes', () => {
  const bits = [
    0x7fc00000, // canonical quiet NaN
    0xffc00001, // negative NaN with payload
    0x7f800001, // signalling NaN
    0x7fbfffff, // NaN with full payload
    0x80000000, // -0
    0x00000000, // +0
    0x00000001, // smallest denormal
    0x807fffff, // largest negative denormal
    0x00400000, // a mid denormal
    0x7f800000, // +Infinity
    0xff800000, // -Infinity
    0x7f7fffff, // float32 max
    0x00800000, // smallest normal
    0x3dcccccd, // 0.1f
  ];
  const data = f32FromBits(bits);
  const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2, 7], data } });
  const out = decodeSafetensors(bytes);
  assert.deepEqual(Object.keys(out.tensors), ['w']);
  const t = out.tensors.w;
  assert.equal(t.dtype, 'F32');
  assert.deepEqual(t.shape, [2, 7]);
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(bitsOf(t.data), bits);
});

test('I32 round trip, scalars and empty tensors, metadata', () => {
  const tensors: TensorRecords = {
    'fc1.weight': { dtype: 'F32', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    idx: { dtype: 'I32', shape: [5], data: Int32Array.from([0, -1, 2147483647, -2147483648, 42]) },
    scalar: { dtype: 'F32', shape: [], data: Float32Array.from([3.5]) },
    empty: { dtype: 'F32', shape: [0], data: new Float32Array(0) },
    empty2: { dtype: 'I32', shape: [3, 0, 2], data: new Int32Array(0) },
  };
  const metadata = { format: 'pt', note: 'ünïcödé ✓ 𝔘', '': 'empty key' };
  const out = decodeSafetensors(encodeSafetensors(tensors, metadata));
  assert.deepEqual(out.metadata, metadata);
  assert.deepEqual(Object.keys(out.tensors), ['empty', 'empty2', 'fc1.weight', 'idx', 'scalar']);
  for (const [k, t] of Object.entries(tensors)) {
    const o = out.tensors[k];
    assert.equal(o.dtype, t.dtype, k);
    assert.deepEqual(o.shape, t.shape, k);
    assert.equal(o.data.constructor, t.data.constructor, k);
    assert.deepEqual(Array.from(o.data), Array.from(t.data), k);
  }
});

test('no metadata decodes as an empty object; a file with no tensors round-trips', () => {
  const a = decodeSafetensors(encodeSafetensors({}));
  assert.deepEqual(a, { tensors: {}, metadata: {} });
  const b = decodeSafetensors(encodeSafetensors({}, { k: 'v' }));
  assert.deepEqual(b, { tensors: {}, metadata: { k: 'v' } });
});

test('output is deterministic: insertion order does not matter, and encode(decode(f)) == f', () => {
  const x = { dtype: 'F32' as const, shape: [2], data: Float32Array.from([1, 2]) };
  const y = { dtype: 'I32' as const, shape: [1], data: Int32Array.from([9]) };
  const a = encodeSafetensors({ x, y }, { b: '2', a: '1' });
  const b = encodeSafetensors({ y, x }, { a: '1', b: '2' });
  assert.deepEqual(a, b);
  const d = decodeSafetensors(a);
  assert.deepEqual(encodeSafetensors(d.tensors, d.metadata), a);
});

test('encoding reads typed-array views at an offset; decoding returns fresh, aligned copies', () => {
  const backing = new Float32Array([99, 1, 2, 3, 99]);
  const view = backing.subarray(1, 4);
  const bytes = encodeSafetensors({ v: { dtype: 'F32', shape: [3], data: view } });
  // Place the file at an odd offset of a bigger buffer, so every tensor is unaligned in it.
  const big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 1);
  const shifted = big.subarray(1, 1 + bytes.length);
  const out = decodeSafetensors(shifted);
  const d = out.tensors.v.data;
  assert.deepEqual(Array.from(d), [1, 2, 3]);
  assert.notEqual(d.buffer, big.buffer);
  assert.equal(d.byteOffset, 0);
  assert.equal(d.buffer.byteLength, 12);
  // Changing the input afterwards does not change what was decoded.
  big.fill(0);
  assert.deepEqual(Array.from(d), [1, 2, 3]);
});

test('keys such as "__proto__" and "constructor" are plain keys', () => {
  const t = { dtype: 'F32' as const, shape: [1], data: Float32Array.from([1]) };
  const tensors: TensorRecords = { constructor: { ...t, data: Float32Array.from([2]) } };
  Object.defineProperty(tensors, '__proto__', { value: t, enumerable: true });
  const out = decodeSafetensors(encodeSafetensors(tensors));
  assert.deepEqual(Object.keys(out.tensors), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf(out.tensors), Object.prototype);
  assert.deepEqual(Array.from(Object.getOwnPropertyDescriptor(out.tensors, '__proto__')!.value.data), [1]);
});

// ---------------------------------------------------------------------------------------------
// The bytes on disk

test('header layout, byte by byte, on a hand-made example', () => {
  const bytes = encodeSafetensors({
    b: { dtype: 'F32', shape: [2], data: Float32Array.from([1, -2]) },
    a: { dtype: 'I32', shape: [], data: Int32Array.from([7]) },
  });
  // Keys sorted, fields in the reference order, compact JSON: 107 characters, counted by hand:
  const json = '{"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
  assert.equal(json.length, 107);
  // padded with 5 spaces to 112 = 0x70, a multiple of 8
  const expected = [
    0x70,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    ...ascii(json),
    0x20,
    0x20,
    0x20,
    0x20,
    0x20,
    0x07,
    0x00,
    0x00,
    0x00, // a = 7 (I32, little-endian)
    0x00,
    0x00,
    0x80,
    0x3f, // b[0] = 1.0f  = 0x3f800000
    0x00,
    0x00,
    0x00,
    0xc0, // b[1] = -2.0f = 0xc0000000
  ];
  assert.equal(bytes.length, 8 + 112 + 12);
  assert.deepEqual(Array.from(bytes), expected);
});

test('metadata is written first, keys sorted, padding keeps the data 8-byte aligned', () => {
  const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: Float32Array.from([0]) } }, { z: '1', a: '2' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.equal(text.trimEnd(), '{"__metadata__":{"a":"2","z":"1"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  assert.match(text, /^[^ ]*} *$/);
});

test('matches the reference implementation byte for byte (its own serialization test vector)', () => {
  // huggingface/safetensors, bindings/python/tests/test_simple.py: save({"test": np.zeros((2, 2), int32)})
  // gives '@' (64) as the header length, the JSON, four spaces of padding, then 16 zero bytes.
  const expected = [...ascii('@\0\0\0\0\0\0\0'), ...ascii('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    '), ...new Array(16).fill(0)];
  const bytes = encodeSafetensors({ test: { dtype: 'I32', shape: [2, 2], data: new Int32Array(4) } });
  assert.deepEqual(Array.from(bytes), expected);
});

test('reads an unpadded file from older writers, whose data starts unaligned', () => {
  // The same vector as older versions of the reference wrote it: header length '<' (60), no padding.
  const bytes = Uint8Array.from([
    ...ascii('<\0\0\0\0\0\0\0'),
    ...ascii('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}'),
    ...[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
  ]);
  const out = decodeSafetensors(bytes);
  assert.deepEqual(out.tensors.test.shape, [2, 2]);
  assert.deepEqual(Array.from(out.tensors.test.data), [0, 0, 0, 1]);
  assert.ok(out.tensors.test.data instanceof Int32Array);
});

test('reads tensors whose data lies in a different order from the header keys', () => {
  const bytes = build(
    {
      z: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      a: { dtype: 'I32', shape: [2], data_offsets: [4, 12] },
      e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
    },
    [0, 0, 0x80, 0x3f, 5, 0, 0, 0, 6, 0, 0, 0],
  );
  const out = decodeSafetensors(bytes);
  assert.deepEqual(Array.from(out.tensors.z.data), [1]);
  assert.deepEqual(Array.from(out.tensors.a.data), [5, 6]);
  assert.deepEqual(out.tensors.e.shape, [0]);
});

// ---------------------------------------------------------------------------------------------
// Errors, one per kind, each naming what is at fault

const F32_1 = (begin: number) => ({ dtype: 'F32', shape: [1], data_offsets: [begin, begin + 4] });

test('error: file shorter than 8 bytes', () => {
  throwsNaming(new Uint8Array(0), '0 bytes', '8-byte');
  throwsNaming(new Uint8Array(7), '7 bytes', '8-byte');
});

test('error: header length larger than the file', () => {
  throwsNaming(build({ w: F32_1(0) }, [0, 0, 0, 0], 500), 'header length 500', 'truncated');
  throwsNaming(build('{}', [], 3), 'header length 3', '2 bytes after');
  // A shorter length cuts the JSON: within the file, so it gets as far as the JSON parser.
  throwsNaming(build('{}', [], 1), 'not valid JSON');
});

test('error: absurd header length', () => {
  throwsNaming(build({}, [], MAX_HEADER_BYTES + 1), `${MAX_HEADER_BYTES + 1}`, 'limit');
  const huge = build({});
  new DataView(huge.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
  throwsNaming(huge, 'limit');
});

test('error: header that does not start with "{", is not UTF-8, or is not JSON', () => {
  throwsNaming(build('[]'), 'does not start with "{"');
  throwsNaming(build(' {}'), 'does not start with "{"');
  throwsNaming(build('', []), 'does not start with "{"');
  const bad = build('{"a":"xx"}');
  bad[8 + 6] = 0xff; // an invalid UTF-8 byte inside the string
  throwsNaming(bad, 'UTF-8');
  throwsNaming(build('{"w": {"dtype": "F32",'), 'not valid JSON');
});

test('error: entry that is not an object, or misses dtype, shape or data_offsets', () => {
  throwsNaming(build({ 'fc1.weight': [1, 2] }), "tensor 'fc1.weight'", 'object');
  throwsNaming(build({ 'fc1.weight': null }), "tensor 'fc1.weight'", 'object');
  throwsNaming(build({ 'fc1.weight': { shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "tensor 'fc1.weight' has no dtype");
  throwsNaming(build({ 'fc1.weight': { dtype: 'F32', data_offsets: [0, 4] } }, [0, 0, 0, 0]), "tensor 'fc1.weight' has no shape");
  throwsNaming(build({ 'fc1.weight': { dtype: 'F32', shape: [1] } }, [0, 0, 0, 0]), "tensor 'fc1.weight' has no data_offsets");
});

test('error: unsupported dtypes are named', () => {
  for (const dtype of ['F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3']) {
    const size = { F16: 2, BF16: 2, F64: 8, I64: 8, U8: 1, BOOL: 1, F8_E4M3: 1 }[dtype]!;
    const bytes = build({ 'fc1.weight': { dtype, shape: [2], data_offsets: [0, 2 * size] } }, new Array(2 * size).fill(0));
    throwsNaming(bytes, `tensor 'fc1.weight' has dtype ${dtype}; only F32 and I32 are supported`);
  }
  throwsNaming(build({ w: { dtype: 7, shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "tensor 'w'", 'dtype', 'not a string');
});

test('error: shape that is not a list of non-negative integers', () => {
  const cases: unknown[] = [[-1], [1.5], ['2'], [null], 4, '[1]', [2 ** 53]];
  for (const shape of cases) {
    throwsNaming(build({ 'fc1.bias': { dtype: 'F32', shape, data_offsets: [0, 4] } }, [0, 0, 0, 0]), "tensor 'fc1.bias'", 'shape');
  }
});

test('error: shape too large to allocate is refused before any allocation', () => {
  throwsNaming(build({ w: { dtype: 'F32', shape: [2 ** 26, 2 ** 26, 2 ** 26], data_offsets: [0, 4] } }, [0, 0, 0, 0]), "tensor 'w'", 'too large');
  throwsNaming(build({ w: { dtype: 'F32', shape: [1e15], data_offsets: [0, 4e15] } }, [0, 0, 0, 0]), "tensor 'w'", 'past the end');
});

test('error: malformed data_offsets', () => {
  throwsNaming(build({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, [0, 0, 0, 0]), "tensor 'w'", 'data_offsets [0]');
  throwsNaming(build({ w: { dtype: 'F32', shape: [1], data_offsets: { begin: 0 } } }, [0, 0, 0, 0]), "tensor 'w'", 'data_offsets');
  throwsNaming(build({ w: { dtype: 'F32', shape: [1], data_offsets: [0, -4] } }, [0, 0, 0, 0]), "tensor 'w'", 'non-negative integers');
  throwsNaming(build({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }, [0, 0, 0, 0]), "tensor 'w'", 'non-negative integers');
  throwsNaming(build({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, [0, 0, 0, 0]), "tensor 'w'", 'end before begin');
});

test('error: offsets past the end of the data', () => {
  throwsNaming(build({ 'fc2.weight': F32_1(4) }, [0, 0, 0, 0]), "tensor 'fc2.weight'", 'past the end', '4 bytes');
});

test('error: offsets not matching shape × dtype size', () => {
  throwsNaming(
    build({ 'fc1.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Array(20).fill(0)),
    "tensor 'fc1.weight'",
    '20 bytes',
    'needs 24 bytes',
  );
});

test('error: overlapping tensors', () => {
  throwsNaming(build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: F32_1(4) }, new Array(8).fill(0)), "tensor 'b'", "tensor 'a'", 'overlaps');
  // Two tensors sharing the same bytes.
  throwsNaming(build({ a: F32_1(0), b: F32_1(0) }, [0, 0, 0, 0]), 'overlaps', "'a'", "'b'");
  // An empty tensor inside another one.
  throwsNaming(
    build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } }, new Array(8).fill(0)),
    "tensor 'e'",
    'overlaps',
  );
});

test('error: gaps, a first tensor not at 0, and trailing bytes', () => {
  throwsNaming(build({ a: F32_1(0), b: F32_1(8) }, new Array(12).fill(0)), "tensor 'b'", "tensor 'a'", '4 bytes between');
  throwsNaming(build({ a: F32_1(4) }, new Array(8).fill(0)), "tensor 'a'", 'starts at byte 4');
  throwsNaming(build({ a: F32_1(0) }, new Array(6).fill(0)), "tensor 'a'", '2 bytes after');
  throwsNaming(build({}, [1, 2, 3]), '3 bytes after the header');
});

test('error: malformed __metadata__', () => {
  throwsNaming(build({ __metadata__: ['x'] }), '__metadata__', 'object');
  throwsNaming(build({ __metadata__: { format: 1 } }), "metadata 'format'", 'string');
});

test('encoding rejects bad input, naming the key', () => {
  const enc = (t: unknown, m?: unknown) => () => encodeSafetensors(t as TensorRecords, m as Record<string, string>);
  const err =
    (...parts: string[]) =>
    (e: unknown) =>
      e instanceof SafetensorsError && parts.every((p) => e.message.includes(p));
  assert.throws(enc({ w: { dtype: 'F16', shape: [1], data: new Float32Array(1) } }), err("tensor 'w'", 'F16'));
  assert.throws(enc({ w: { dtype: 'F32', shape: [1], data: new Int32Array(1) } }), err("tensor 'w'", 'Float32Array'));
  assert.throws(enc({ w: { dtype: 'I32', shape: [1], data: new Float32Array(1) } }), err("tensor 'w'", 'Int32Array'));
  assert.throws(enc({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), err("tensor 'w'", '2 values', 'needs 3'));
  assert.throws(enc({ w: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } }), err("tensor 'w'", 'shape'));
  assert.throws(enc({ __metadata__: { dtype: 'F32', shape: [0], data: new Float32Array(0) } }), err('__metadata__', 'reserved'));
  assert.throws(enc({}, { k: 5 }), err("metadata 'k'", 'string'));
});

// ---------------------------------------------------------------------------------------------
// Fuzz: mutated and truncated files either decode or throw a SafetensorsError, and quickly

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: 2000 random mutations and truncations never throw anything but SafetensorsError', () => {
  const base = encodeSafetensors(
    {
      'fc1.weight': { dtype: 'F32', shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
      'fc1.bias': { dtype: 'F32', shape: [4], data: Float32Array.from([1, 2, 3, 4]) },
      idx: { dtype: 'I32', shape: [2], data: Int32Array.from([5, -6]) },
      empty: { dtype: 'F32', shape: [0, 2], data: new Float32Array(0) },
    },
    { format: 'pt' },
  );
  const headerLen = Number(new DataView(base.buffer).getBigUint64(0, true));
  const rand = mulberry32(12345);
  const int = (n: number) => Math.floor(rand() * n);
  const digits = [...base.subarray(8, 8 + headerLen).keys()].filter((i) => base[8 + i] >= 0x30 && base[8 + i] <= 0x39).map((i) => 8 + i);
  const interesting = ['{', '}', '[', ']', '"', ',', ':', '-', '0', '9', ' ', 'e', '.', '\\'].map((c) => c.charCodeAt(0));

  let decoded = 0,
    rejected = 0;
  const start = Date.now();
  for (let iter = 0; iter < 2000; iter++) {
    let f = base.slice();
    const kind = iter % 7;
    if (kind === 0) {
      for (let k = 1 + int(4); k > 0; k--) f[int(f.length)] = int(256); // random bytes anywhere
    } else if (kind === 1) {
      f = f.slice(0, int(f.length)); // truncation
    } else if (kind === 2) {
      const d = digits[int(digits.length)]; // a number in the header changes
      f[d] = 0x30 + int(10);
    } else if (kind === 3) {
      f[8 + int(headerLen)] = interesting[int(interesting.length)]; // JSON punctuation
    } else if (kind === 4) {
      f[int(8)] = int(256); // the header length
    } else if (kind === 5) {
      const extra = Uint8Array.from({ length: 1 + int(8) }, () => int(256)); // trailing bytes
      const g = new Uint8Array(f.length + extra.length);
      g.set(f);
      g.set(extra, f.length);
      f = g;
    } else {
      // splice: remove or duplicate a run of bytes in the header
      const at = 8 + int(headerLen),
        len = 1 + int(6);
      f = int(2) ? Uint8Array.from([...f.subarray(0, at), ...f.subarray(at + len)]) : Uint8Array.from([...f.subarray(0, at + len), ...f.subarray(at)]);
    }
    try {
      const out = decodeSafetensors(f);
      decoded++;
      for (const [k, t] of Object.entries(out.tensors)) {
        assert.equal(
          t.data.length,
          t.shape.reduce((a, d) => a * d, 1),
          k,
        );
        assert.notEqual(t.data.buffer, f.buffer);
      }
    } catch (e) {
      if (!(e instanceof SafetensorsError)) {
        assert.fail(`mutation ${iter} (kind ${kind}) threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      rejected++;
    }
  }
  const ms = Date.now() - start;
  if (process.env.FUZZ_STATS) console.log(`fuzz: ${decoded} decoded, ${rejected} rejected, ${ms} ms`);
  assert.ok(rejected > 1000, `most mutations should be rejected (rejected ${rejected})`);
  assert.ok(decoded > 0, 'some mutations (data bytes, digits in a value) should still decode');
  assert.ok(ms < 2000, `fuzz loop took ${ms} ms`);
});
