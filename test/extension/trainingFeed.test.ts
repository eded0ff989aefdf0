// Flow control of training updates to a webview (extension/training/trainingFeed.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingFeed } from '../../extension/training/trainingFeed';
import type { HostMessage } from '../../protocol/messages';

const grad = (step: number): HostMessage => ({ type: 'gradients', update: { step, edges: [step], flags: [null], paramNorms: {} } });
const state = (step: number): HostMessage => ({
  type: 'trainingState', status: 'running', progress: { step, epoch: 0, epochs: 1, stepsPerEpoch: 100, loss: 1, samplesPerSecond: 1 },
});
const stepOf = (m: HostMessage) => (m.type === 'gradients' ? m.update.step : m.type === 'trainingState' ? m.progress!.step : -1);

function feed(window: number, clock = { t: 0 }) {
  const sent: HostMessage[] = [];
  const f = new TrainingFeed((m) => sent.push(m), { window, ackTimeoutMs: 1000, now: () => clock.t });
  return { f, sent, clock };
}

test('a busy view gets the newest update of each kind, never a queue of old ones', () => {
  const { f, sent } = feed(1);
  for (let s = 1; s <= 50; s++) f.post(grad(s));
  assert.deepEqual(sent.map(stepOf), [1], 'only one message goes out before the view has drawn it');
  f.ack();
  assert.deepEqual(sent.map(stepOf), [1, 50], 'after the acknowledgement, the newest one, none between');
  f.ack();
  assert.equal(sent.length, 2, 'nothing is sent twice');
  f.dispose();
});

test('kinds are kept apart and sent in the order they became due', () => {
  const { f, sent } = feed(1);
  f.post(grad(1));
  f.post(state(2));
  f.post(grad(3));
  f.post(state(4));
  f.ack();
  f.ack();
  f.ack();
  assert.deepEqual(sent.map((m) => `${m.type}:${stepOf(m)}`), ['gradients:1', 'trainingState:4', 'gradients:3']);
  f.dispose();
});

test('the document and other messages are never held back', () => {
  const { f, sent } = feed(1);
  f.post(grad(1));
  f.post({ type: 'document', uri: 'file:///a.nn.json', text: '{}', version: 3, readOnly: false });
  f.post({ type: 'editRejected', reason: 'no' });
  assert.deepEqual(sent.map((m) => m.type), ['gradients', 'document', 'editRejected']);
  f.dispose();
});

test('without acknowledgements (a view that reloaded or hid), updates resume after the timeout', () => {
  const { f, sent, clock } = feed(2);
  f.post(grad(1));
  f.post(state(1));
  f.post(grad(2));
  assert.equal(sent.length, 2);
  clock.t = 999;
  f.post(grad(3));
  assert.equal(sent.length, 2, 'still waiting before the timeout');
  clock.t = 1000;
  f.post(grad(4));
  assert.deepEqual(sent.map(stepOf), [1, 1, 4]);
  f.dispose();
});

test('a view that reloads starts with nothing in flight', () => {
  const { f, sent } = feed(1);
  f.post(grad(1));
  f.post(grad(2));
  assert.equal(sent.length, 1);
  f.reset();
  assert.deepEqual(sent.map(stepOf), [1, 2]);
  f.dispose();
});

test('with a window of four, steady acknowledgements let every update through in order', () => {
  const { f, sent } = feed(4);
  for (let s = 1; s <= 20; s++) {
    f.post(grad(s));
    f.ack();
  }
  assert.deepEqual(sent.map(stepOf), Array.from({ length: 20 }, (_, i) => i + 1));
  f.dispose();
});
