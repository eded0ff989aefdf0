import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeParams, ParamsError, paramsFromJson, paramsToJson, shortestFloat32 } from '../../engine/io/params';
import { decodeSafetensors, encodeSafetensors, type TensorRecords } from '../../engine/io/safetensors';

function throwsNaming(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ParamsError, `expected a ParamsError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} should include ${JSON.stringify(p)}`);
    return true;
  });
}

test('paramsFromJson reads shapes and row-major data as float32', () => {
  const out = paramsFromJson({
    'fc1.weight': { shape: [2, 3], data: [0.1, -0.2, 3, 4, 5, 6] },
    'fc1.bias': { shape: [2], data: [0, 1e-3] },
    's.x': { shape: [], data: [7] },
    'e.weight': { shape: [0, 4], data: [] },
  });
  assert.deepEqual(Object.keys(out), ['fc1.weight', 'fc1.bias', 's.x', 'e.weight']);
  const w = out['fc1.weight'];
  assert.equal(w.dtype, 'F32');
  assert.deepEqual(w.shape, [2, 3]);
  assert.ok(w.data instanceof Float32Array);
  assert.deepEqual(Array.from(w.data), [0.1, -0.2, 3, 4, 5, 6].map(Math.fround));
  assert.deepEqual(out['s.x'].shape, []);
  assert.deepEqual(Array.from(out['s.x'].data), [7]);
  assert.equal(out['e.weight'].data.length, 0);
});

test('paramsFromJson: errors name the key', () => {
  throwsNaming(() => paramsFromJson([1, 2]), 'params', 'object');
  throwsNaming(() => paramsFromJson(null), 'params', 'object');
  throwsNaming(() => paramsFromJson({ 'fc1.weight': [1, 2] }), "params 'fc1.weight'", 'object');
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { data: [1] } }), "params 'fc1.weight' has no shape");
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape: [1] } }), "params 'fc1.weight' has no data");
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape: [8, 2], data: [0.1, -0.2] } }), "params 'fc1.weight'", '2 values', '[8, 2]', 'needs 16');
  throwsNaming(() => paramsFromJson({ 'fc1.bias': { shape: [2], data: [1, '2'] } }), "params 'fc1.bias'", 'non-numeric', 'data[1]', '"2"');
  throwsNaming(() => paramsFromJson({ 'fc1.bias': { shape: [2], data: [1, null] } }), "params 'fc1.bias'", 'non-numeric', 'data[1]', 'null');
  throwsNaming(() => paramsFromJson({ 'fc1.bias': { shape: [3], data: [0.1, -0.2, '...'] } }), "params 'fc1.bias'", 'data[2]');
  throwsNaming(
    () =>
      paramsFromJson({
        'fc1.weight': {
          shape: [2, 2],
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      }),
    "params 'fc1.weight'",
    '2 values',
  );
  throwsNaming(
    () =>
      paramsFromJson({
        'fc1.weight': {
          shape: [2],
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      }),
    "params 'fc1.weight'",
    'flat, row-major',
  );
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape: [1], data: [NaN] } }), "params 'fc1.weight'", 'non-finite');
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape: [1], data: [1e39] } }), "params 'fc1.weight'", 'float32 range');
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape: [1], data: 'abc' } }), "params 'fc1.weight'", 'not an array');
  for (const shape of [[-1], [1.5], ['2'], 3, null, [2 ** 53]]) {
    throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape, data: [] } }), "params 'fc1.weight'", 'shape');
  }
  throwsNaming(() => paramsFromJson({ 'fc1.weight': { shape: [2 ** 30, 2 ** 30], data: [] } }), "params 'fc1.weight'", 'too large');
  // A caller can name the place.
  throwsNaming(() => paramsFromJson({ w: { shape: [1], data: [] } }, 'model.nn.json: params'), "model.nn.json: params 'w'");
});

test('paramsFromJson treats "__proto__" as a plain key', () => {
  const json = JSON.parse('{"__proto__": {"shape": [1], "data": [5]}}');
  const out = paramsFromJson(json);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__']);
});

test('paramsToJson writes the shortest decimals, sorted keys, and reads back bit-exactly', () => {
  const t: TensorRecords = {
    'fc2.weight': { dtype: 'F32', shape: [2, 2], data: Float32Array.from([0.1, -0.2, 1 / 3, 1e-40]) },
    'fc1.bias': { dtype: 'F32', shape: [1], data: Float32Array.from([2.5]) },
  };
  const json = paramsToJson(t);
  assert.deepEqual(Object.keys(json), ['fc1.bias', 'fc2.weight']);
  assert.deepEqual(json['fc2.weight'], { shape: [2, 2], data: [0.1, -0.2, 0.33333334, 1e-40] });
  assert.equal(JSON.stringify(json['fc1.bias']), '{"shape":[1],"data":[2.5]}');
  const back = paramsFromJson(JSON.parse(JSON.stringify(json)));
  for (const k of Object.keys(t)) assert.deepEqual(Array.from(back[k].data), Array.from(t[k].data), k);
});

test('paramsToJson round trip is exact for random float32 values of every magnitude', () => {
  const bits = new Uint32Array(5000);
  let s = 987654321;
  for (let i = 0; i < bits.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bits[i] = s;
  }
  const data = new Float32Array(bits.buffer);
  const finite = data.filter((v) => Number.isFinite(v));
  const t: TensorRecords = { w: { dtype: 'F32', shape: [finite.length], data: finite } };
  const back = paramsFromJson(JSON.parse(JSON.stringify(paramsToJson(t))));
  const a = new Uint32Array(back.w.data.buffer),
    b = new Uint32Array(finite.buffer);
  for (let i = 0; i < a.length; i++) {
    // -0 is written as 0 (JSON has no -0); everything else is bit-exact.
    if (b[i] === 0x80000000) assert.equal(a[i], 0);
    else assert.equal(a[i], b[i], `value ${finite[i]}`);
  }
});

test('shortestFloat32 picks the fewest digits that still read back as the same float32', () => {
  assert.equal(shortestFloat32(Math.fround(0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(-1.1)), -1.1);
  assert.equal(shortestFloat32(Math.fround(16777216)), 16777216);
  assert.equal(shortestFloat32(Math.fround(3.4028234663852886e38)), 3.4028235e38);
  assert.equal(shortestFloat32(1.401298464324817e-45), 1e-45);
  assert.equal(shortestFloat32(-0), 0);
});

test('paramsToJson: errors name the key', () => {
  throwsNaming(
    () => paramsToJson({ 'bn.running_var': { dtype: 'F32', shape: [2], data: Float32Array.from([1, NaN]) } }),
    "params 'bn.running_var'",
    'NaN',
    'data[1]',
    'JSON',
  );
  throwsNaming(() => paramsToJson({ w: { dtype: 'F32', shape: [1], data: Float32Array.from([Infinity]) } }), "params 'w'", 'Infinity');
  throwsNaming(() => paramsToJson({ idx: { dtype: 'I32', shape: [1], data: Int32Array.from([1]) } }), "params 'idx'", 'I32', 'F32');
  throwsNaming(() => paramsToJson({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), "params 'w'", '2 values', 'needs 3');
  throwsNaming(() => paramsToJson({ w: { dtype: 'F32', shape: [-2], data: new Float32Array(0) } }), "params 'w'", 'shape');
});

test('mergeParams: inline wins for a key in both; the union of keys otherwise; inputs untouched', () => {
  const f = (v: number) => ({ dtype: 'F32' as const, shape: [1], data: Float32Array.from([v]) });
  const sidecar: TensorRecords = { 'fc1.weight': f(1), 'fc1.bias': f(2) };
  const inline: TensorRecords = { 'fc1.bias': f(20), 'fc2.weight': f(30) };
  const merged = mergeParams(sidecar, inline);
  assert.deepEqual(Object.keys(merged).sort(), ['fc1.bias', 'fc1.weight', 'fc2.weight']);
  assert.equal(merged['fc1.weight'].data[0], 1);
  assert.equal(merged['fc1.bias'].data[0], 20);
  assert.equal(merged['fc2.weight'].data[0], 30);
  assert.deepEqual(Object.keys(sidecar), ['fc1.weight', 'fc1.bias']);
  assert.deepEqual(Object.keys(inline), ['fc1.bias', 'fc2.weight']);
  assert.equal(sidecar['fc1.bias'].data[0], 2);
  assert.deepEqual(mergeParams(undefined, inline), inline);
  assert.deepEqual(mergeParams(sidecar, null), sidecar);
  assert.deepEqual(mergeParams(undefined, undefined), {});
});

test('a model file round trip: inline params and a safetensors sidecar merge as the format says', () => {
  const model = JSON.parse('{"params": {"fc1.bias": {"shape": [2], "data": [0.5, -0.5]}}}');
  const sidecarBytes = encodeSafetensors({
    'fc1.weight': { dtype: 'F32', shape: [2, 1], data: Float32Array.from([1, 2]) },
    'fc1.bias': { dtype: 'F32', shape: [2], data: Float32Array.from([9, 9]) },
  });
  const merged = mergeParams(decodeSafetensors(sidecarBytes).tensors, paramsFromJson(model.params));
  assert.deepEqual(Array.from(merged['fc1.bias'].data), [0.5, -0.5]);
  assert.deepEqual(Array.from(merged['fc1.weight'].data), [1, 2]);
});
