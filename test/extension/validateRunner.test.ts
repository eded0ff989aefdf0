// protocol/validate.ts on the WebGPU runner's messages (gpuAdapter, gpuRun): every message a real run posts (the CPU
// training loop's own, a traced step and watched weights among them), its checkpoints and a lost runner are
// accepted as equal copies that share nothing with what arrived; malformed ones are refused with a reason, quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTraining } from '../../engine/train/run';
import type { FromWorker } from '../../extension/training/workerProtocol';
import { parseWebviewMessage } from '../../protocol/validate';
import type { GpuRunMessage } from '../../protocol/messages';
import type { OptimizerState } from '../../engine';

const model = JSON.stringify({
  format: 'nn-graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Input', attrs: { shape: [2] } },
    { id: 'fc1', op: 'Linear', attrs: { outFeatures: 4 } },
    { id: 'act', op: 'Tanh' },
    { id: 'fc2', op: 'Linear', attrs: { outFeatures: 2 } },
    { id: 'y', op: 'Target', attrs: { shape: [], dtype: 'int32' } },
    { id: 'loss', op: 'CrossEntropyLoss' },
  ],
  edges: [
    { from: 'x', to: 'fc1' },
    { from: 'fc1', to: 'act' },
    { from: 'act', to: 'fc2' },
    { from: 'fc2', to: 'loss' },
    { from: 'y', to: 'loss', port: 1 },
  ],
  training: { seed: 0, optimizer: { type: 'Adam', lr: 0.03 }, batchSize: 16, epochs: 2, validationSplit: 0.25, dataset: { source: 'xor', size: 64 } },
});

/** The optimizer's state at the first epoch's end (Adam: step counts and moments). */
let optimizer: OptimizerState | null = null;

/** Every kind of message a run posts: overlay, boundary, watched weights, one traced (walk-through) step. */
async function realRun(): Promise<FromWorker[]> {
  const msgs: FromWorker[] = [];
  let traced = false;
  optimizer = null;
  await runTraining(
    { modelText: model, sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 1000, boundaryGrid: 8 } },
    (m) => msgs.push(m),
    {
      next: async () => 'go',
      traceNext: () => !traced && (traced = true),
      watched: () => 'fc1',
      checkpoint: (c) => {
        optimizer ??= c.optimizer;
      },
    },
  );
  return msgs;
}

/** Plain objects and arrays as JSON-like trees; typed arrays kept (deepStrictEqual compares their class and values). */
const plain = (v: unknown): unknown => {
  if (ArrayBuffer.isView(v) || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, plain(x)]),
  );
};

const wrap = (message: GpuRunMessage['message']): GpuRunMessage => ({ type: 'gpuRun', runId: 3, message });

test('every message of a real run, its checkpoint and a lost runner are accepted as equal copies', async () => {
  const msgs = await realRun();
  const types = new Set(msgs.map((m) => m.type));
  for (const t of ['started', 'datasetPoints', 'progress', 'gradients', 'nodeStats', 'stepCosts', 'boundary', 'walkthrough', 'weights', 'epoch', 'finished'])
    assert.ok(types.has(t as never), `the run posted ${t}`);
  const fin = msgs.at(-1)!;
  assert.ok(fin.type === 'finished');
  const extra: GpuRunMessage['message'][] = [
    {
      type: 'checkpoint',
      step: 3,
      epoch: 1,
      weights: fin.weights,
      history: fin.history.slice(0, 1),
      partial: { loss: 0, correct: 0, samples: 0 },
      optimizer: optimizer!,
    },
    {
      type: 'checkpoint',
      step: 4,
      epoch: 1,
      weights: fin.weights,
      history: fin.history.slice(0, 1),
      partial: { loss: 0.69, correct: 11, samples: 16 },
      optimizer: optimizer!,
    },
    { type: 'runnerLost', reason: 'the WebGPU device was lost', weights: null, epoch: 0, history: [] },
    { type: 'runnerLost', reason: 'WebGPU ran out of GPU memory', weights: fin.weights, epoch: 2, history: fin.history },
    { type: 'paused' },
    { type: 'resumed' },
    { type: 'failed', message: 'boom' },
    { type: 'nonFinite', step: 3, nodeId: 'fc1', detail: 'step 3: NaN in fc1', weights: fin.weights, history: [] },
    { type: 'progress', progress: { step: 4, epoch: 0, epochs: 2, stepsPerEpoch: 3, loss: Number.NaN, samplesPerSecond: 10 } },
  ];
  for (const m of [...msgs, ...extra]) {
    const r = parseWebviewMessage(wrap(m));
    assert.ok(r.ok, `${m.type}: ${!r.ok && r.error}`);
    assert.deepStrictEqual(plain(r.msg), plain(wrap(m)), m.type);
  }
  for (const m of [
    { type: 'gpuAdapter', adapter: 'NVIDIA GeForce RTX 4070' },
    { type: 'gpuAdapter', adapter: null, why: 'no WebGPU adapter' },
  ]) {
    const r = parseWebviewMessage(m);
    assert.ok(r.ok, JSON.stringify(m));
    assert.deepStrictEqual(plain(r.msg), m);
  }
});

test('the copy shares nothing with what arrived: weights, boundary values, view payloads', async () => {
  const msgs = await realRun();
  const fin = msgs.at(-1) as Extract<FromWorker, { type: 'finished' }>;
  const r = parseWebviewMessage(wrap(fin));
  assert.ok(r.ok && r.msg.type === 'gpuRun' && r.msg.message.type === 'finished');
  const before = r.msg.message.weights[0];
  fin.weights[0] = before ^ 0xff;
  assert.equal(r.msg.message.weights[0], before);
  const b = msgs.find((m) => m.type === 'boundary') as Extract<FromWorker, { type: 'boundary' }>;
  const rb = parseWebviewMessage(wrap(b));
  assert.ok(rb.ok && rb.msg.type === 'gpuRun' && rb.msg.message.type === 'boundary');
  b.values[0] = 42;
  assert.notEqual(rb.msg.message.values[0], 42);
  const n = msgs.find((m) => m.type === 'nodeStats') as Extract<FromWorker, { type: 'nodeStats' }>;
  const rn = parseWebviewMessage(wrap(n));
  assert.ok(rn.ok && rn.msg.type === 'gpuRun' && rn.msg.message.type === 'nodeStats');
  (n.nodes as Record<string, unknown>).fc1 = 'changed';
  assert.notEqual((rn.msg.message.nodes as Record<string, unknown>).fc1, 'changed');
});

test('malformed runner messages are refused, naming what is wrong', () => {
  const weights = Uint8Array.of(1, 2);
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 50; i++) at = (at.x = {}) as Record<string, unknown>;
  const cases: [unknown, RegExp][] = [
    [{ type: 'gpuRun', runId: -1, message: { type: 'paused' } }, /gpuRun\.runId: must be between 0/],
    [{ type: 'gpuRun', runId: 1, message: { type: 'launch' } }, /unknown runner message "launch"/],
    [{ type: 'gpuRun', runId: 1, message: { type: 'paused', extra: 1 } }, /gpuRun\.message\(paused\): more than 1 keys/],
    [{ type: 'gpuRun', runId: 1, message: { type: 'epoch', extra: 1 } }, /unexpected key "extra"/],
    [{ type: 'gpuRun', runId: 1 }, /missing "message"/],
    [
      wrap({ type: 'progress', progress: { step: -1, epoch: 0, epochs: 1, stepsPerEpoch: 1, loss: 1, samplesPerSecond: 1 } }),
      /progress\.step: must be between 0/,
    ],
    [wrap({ type: 'finished', reason: 'completed', weights: [1, 2] as never, history: [] }), /weights: must be bytes/],
    [wrap({ type: 'finished', reason: 'done' as never, weights, history: [] }), /reason: must be "completed" or "stopped"/],
    [wrap({ type: 'finished', reason: 'completed', weights, history: [{ epoch: 'one', trainLoss: 1 }] as never }), /history\[0\]\.epoch: must be an integer/],
    [
      wrap({ type: 'boundary', step: 1, grid: 4, extent: 6, values: new Float32Array(15), kind: 'probability' }),
      /values: must be a Float32Array of grid² = 16/,
    ],
    [
      wrap({ type: 'boundary', step: 1, grid: 4, extent: 6, values: new Float32Array(16), kind: 'odds' as never }),
      /kind: must be "probability" or "regression"/,
    ],
    [
      wrap({ type: 'gradients', update: { step: 1, edges: [1], flags: ['huge' as never], paramNorms: {} } }),
      /flags\[0\]: must be "vanishing", "exploding" or null/,
    ],
    [wrap({ type: 'nodeStats', step: 1, nodes: deep as never }), /nested more than 12 deep/],
    [wrap({ type: 'walkthrough', trace: { forward: new Float32Array(5_000_000) } as never }), /holds more than 4000000 items/],
    [wrap({ type: 'weights', nodeId: 'fc1', step: 1, params: new Array(4_000_001) as never }), /holds more than 4000000 items/],
    [wrap({ type: 'weights', nodeId: '1bad', step: 1, params: [] }), /not a valid node id/],
    [wrap({ type: 'nodeStats', step: 1, nodes: { fc1: new Map() } as never }), /must be plain data/],
    [wrap({ type: 'runnerLost', reason: 'x'.repeat(5000), weights: null, epoch: 0, history: [] }), /reason: must be at most 4000 characters/],
    [{ type: 'gpuAdapter', adapter: 'x'.repeat(301) }, /gpuAdapter\.adapter: must be at most 300 characters/],
    [{ type: 'gpuAdapter', adapter: 7 }, /gpuAdapter\.adapter: must be a string/],
    [
      wrap({
        type: 'checkpoint',
        step: 3,
        epoch: 1,
        weights,
        history: [],
        partial: { loss: 0, correct: 0, samples: 0 },
        optimizer: { kind: 'Adam', params: [{ step: 1, buffers: { m: [0.5] as never } }] },
      }),
      /optimizer\.params\[0\]\.buffers\.m: must be a Float32Array/,
    ],
    [
      wrap({
        type: 'checkpoint',
        step: 3,
        epoch: 1,
        weights,
        history: [],
        partial: { loss: 0, correct: 0, samples: 0 },
        optimizer: { kind: 'Adam', params: [{ step: -2, buffers: {} }] },
      }),
      /optimizer\.params\[0\]\.step: must be between 0/,
    ],
    [wrap({ type: 'checkpoint', epoch: 1, weights, history: [] } as never), /missing "step"/],
    [wrap({ type: 'checkpoint', step: 3, epoch: 1, weights, history: [], optimizer: { kind: 'Adam', params: [] } } as never), /missing "partial"/],
    [
      wrap({
        type: 'checkpoint',
        step: -1,
        epoch: 0,
        weights,
        history: [],
        partial: { loss: 0, correct: 0, samples: 0 },
        optimizer: { kind: 'Adam', params: [] },
      }),
      /checkpoint\)\.step: must be between 0/,
    ],
    [
      wrap({
        type: 'checkpoint',
        step: 3,
        epoch: 0,
        weights,
        history: [],
        partial: { loss: Number.NaN, correct: 0, samples: 48 },
        optimizer: { kind: 'Adam', params: [] },
      }),
      /partial\.loss: must be a finite number/,
    ],
    [
      wrap({
        type: 'checkpoint',
        step: 3,
        epoch: 0,
        weights,
        history: [],
        partial: { loss: 1, correct: 0, samples: 1.5 },
        optimizer: { kind: 'Adam', params: [] },
      }),
      /partial\.samples: must be an integer/,
    ],
  ];
  for (const [raw, why] of cases) {
    const t0 = performance.now();
    const r = parseWebviewMessage(raw);
    const ms = performance.now() - t0;
    assert.ok(!r.ok, `accepted: ${String(why)}`);
    assert.match(r.error, why);
    assert.ok(ms < 500, `refused slowly (${ms.toFixed(0)} ms): ${r.error}`);
  }
});
