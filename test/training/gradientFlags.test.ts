// Vanishing and exploding gradient flags (engine/train/gradientFlags.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GradientFlagger } from '../../engine/train/gradientFlags';

/** Feeds one edge's snapshots (step, value) and returns its flag after each. */
function flagsOf(snapshots: [number, number][]) {
  const f = new GradientFlagger();
  return snapshots.map(([step, v]) => f.update(step, [v])[0]);
}

test('absolute thresholds: below 1e-7 vanishing, above 1e3 exploding, 0 (no gradient) unflagged', () => {
  const f = new GradientFlagger();
  assert.deepEqual(f.update(1, [0, 5e-8, 1e-7, 0.5, 999, 1001]), [null, 'vanishing', null, null, null, 'exploding']);
});

test('a sustained rise of more than 10× within 50 steps is flagged exploding', () => {
  // 0.01 for a while, then 0.5 from step 20: the smoothed level passes 10× the window's lowest by step 24.
  const snaps: [number, number][] = [];
  for (let s = 0; s < 20; s += 2) snaps.push([s, 0.01]);
  for (let s = 20; s < 40; s += 2) snaps.push([s, 0.5]);
  const flags = flagsOf(snaps);
  assert.ok(
    flags.slice(0, 10).every((x) => x === null),
    'nothing before the rise',
  );
  assert.ok(
    flags.slice(12).every((x) => x === 'exploding'),
    `the rise is flagged: ${flags.join(',')}`,
  );
});

test('the same rise spread over more than 50 steps is not flagged', () => {
  // ×1.05 per snapshot, one snapshot every 5 steps: ×1.63 within any 50 steps, ×100 over the run.
  const snaps: [number, number][] = [];
  for (let i = 0, v = 0.01; i < 100; i++, v *= 1.05) snaps.push([i * 5, v]);
  assert.ok(flagsOf(snaps).every((x) => x === null));
});

test('noise around a small gradient is not an explosion', () => {
  // Near convergence: single-batch values swinging 20× between 1e-5 and 2e-4.
  const snaps: [number, number][] = [];
  for (let s = 0; s < 200; s++) snaps.push([s, s % 2 ? 2e-4 : 1e-5]);
  assert.ok(flagsOf(snaps).every((x) => x === null));
});

test('one noisy snapshot among steady ones is not an explosion', () => {
  const snaps: [number, number][] = [];
  for (let s = 0; s < 60; s++) snaps.push([s, s === 30 ? 0.2 : 0.01]);
  assert.ok(flagsOf(snaps).every((x) => x === null));
});

test('edges are tracked separately', () => {
  const f = new GradientFlagger();
  let last: unknown[] = [];
  for (let s = 0; s < 10; s++) last = f.update(s, [s < 5 ? 0.01 : 1, 0.01]);
  assert.deepEqual(last, ['exploding', null]);
});
