/// <reference path="../../webview/vscode-api.d.ts" />
// The training overlay's pure modules: the adaptive scale (adaptiveRange.ts), the steps, colours and ticks of a
// scale (scale.ts), and the overlay store (overlayStore.ts): per edge and per parameterised node, per mode.
// Expected values come from the rules as docs/training.md states them ("The adaptive scale", "Overlay modes").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GradientUpdate, ParamStats } from '../../protocol/messages';
import { AdaptiveRange, percentile, snapshotBand, WINDOW } from '../../webview/training/adaptiveRange';
import { HISTORY, OverlayStore } from '../../webview/training/overlayStore';
import {
  edgeLook,
  formatMagnitude,
  formatShort,
  HEALTH_RAMP,
  MAX_WIDTH,
  MIN_WIDTH,
  nextStep,
  scalePosition,
  scaleStep,
  STEPS,
  stepColor,
  stepWidth,
  tickLabel,
  ticks,
  UPDATE_RANGE,
  updateHealth,
  type LogRange,
} from '../../webview/training/scale';

const update = (
  step: number,
  edges: number[],
  flags: GradientUpdate['flags'] = edges.map(() => null),
  params?: Record<string, ParamStats>,
): GradientUpdate => ({
  step,
  edges,
  flags,
  paramNorms: { fc: step },
  ...(params ? { params } : {}),
});
/** Magnitudes evenly spaced in log10 from 10^a to 10^b (n of them). */
const logSpaced = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));
/** A seeded generator in [0, 1) (a linear congruential one), for jitter. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

describe('percentiles of a snapshot', () => {
  it('interpolate linearly between order statistics (numpy’s default)', () => {
    const xs = [1, 2, 3, 4, 5];
    near(percentile(xs, 0.5), 3, 'median');
    near(percentile(xs, 0.02), 1.08, 'p2'); // position 0.02 × 4 = 0.08
    near(percentile(xs, 0.98), 4.92, 'p98');
    near(percentile(xs, 0), 1, 'p0');
    near(percentile(xs, 1), 5, 'p100');
    near(percentile([7], 0.98), 7, 'one value');
  });

  it('a band is taken over the log10 of the positive, finite magnitudes only', () => {
    const band = snapshotBand([0, 1e-3, NaN, 1e-1, -4, Infinity])!;
    near(band.lo, -3 + 0.02 * 2, 'lo');
    near(band.hi, -1 - 0.02 * 2, 'hi');
    assert.equal(snapshotBand([0, 0, NaN]), null);
  });
});

describe('the adaptive scale', () => {
  it('starts on the first snapshot’s 2nd–98th percentile, widened out to half decades', () => {
    const r = new AdaptiveRange();
    assert.equal(r.range, null);
    // Six layers a decade apart, 1e-6 … 1e-1: p2 = -5.9, p98 = -1.1 → [-6, -1].
    assert.equal(r.observe(logSpaced(-6, -1, 6)), true);
    assert.deepEqual(r.range, { lo: -6, hi: -1 });
  });

  it('a range narrower than two decades grows to two around its middle', () => {
    const r = new AdaptiveRange();
    r.observe([1e-3, 1e-3, 1e-3]);
    assert.deepEqual(r.range, { lo: -4, hi: -2 });
  });

  it('a snapshot with no positive magnitude changes nothing', () => {
    const r = new AdaptiveRange();
    assert.equal(r.observe([0, 0]), false);
    assert.equal(r.range, null);
    r.observe(logSpaced(-4, -2, 5));
    assert.equal(r.observe([0, 0]), false);
    assert.deepEqual(r.range, { lo: -4, hi: -2 });
  });

  it('one outlier snapshot does not move the range at all; two in a row widen it at once; it narrows only once they leave the window', () => {
    const r = new AdaptiveRange();
    const steady = logSpaced(-4, -2, 8);
    for (let k = 0; k < 30; k++) r.observe(steady);
    const before = r.range!;
    assert.deepEqual(before, { lo: -4, hi: -2 });
    const outlier = steady.map((v) => v * 1e4); // 1 … 100
    assert.equal(r.observe(outlier), false, 'one outlier: the second-highest band top is still a steady one');
    assert.deepEqual(r.range, before);
    r.observe(steady);
    assert.deepEqual(r.range, before, 'and after it');

    const r2 = new AdaptiveRange();
    for (let k = 0; k < 30; k++) r2.observe(steady);
    r2.observe(outlier);
    assert.equal(r2.observe(outlier), true, 'a second outlier in a row widens');
    assert.ok(r2.range!.hi >= 2 - 0.04 && r2.range!.lo === -4, JSON.stringify(r2.range));
    // Both outliers stay in the window of 20 for 18 more steady snapshots; with one left, it narrows back.
    for (let k = 0; k < WINDOW - 2; k++) r2.observe(steady);
    assert.ok(r2.range!.hi >= 2 - 0.04, `still wide: ${JSON.stringify(r2.range)}`);
    r2.observe(steady);
    assert.deepEqual(r2.range, before, 'narrowed once an outlier left');
  });

  it('tracks a run whose gradients shrink 100×, in a few moves', () => {
    const r = new AdaptiveRange();
    const n = 200;
    let moves = 0;
    let last: number[] = [];
    for (let k = 0; k < n; k++) {
      const d = (2 * k) / (n - 1); // 0 … 2 decades smaller
      last = logSpaced(-3 - d, -1 - d, 12);
      if (r.observe(last)) moves++;
    }
    const end = r.range!;
    const band = snapshotBand(last)!; // [-4.96, -3.04]
    assert.ok(end.lo <= band.lo && end.hi >= band.hi, `the range ${JSON.stringify(end)} holds the last band ${JSON.stringify(band)}`);
    // It followed the run down: neither bound is more than the narrowing slack (1 decade) plus a grid step (½)
    // outside the last band (a fixed 1e-8…1e2 scale, or one that only widened, would be far outside).
    assert.ok(end.hi - band.hi <= 1.5 && band.lo - end.lo <= 1.5, JSON.stringify(end));
    assert.ok(moves <= 8, `${moves} moves`);
  });

  it('jitter does not move it', () => {
    const r = new AdaptiveRange();
    const rnd = random(7);
    const base = logSpaced(-5, -2, 16);
    let moves = 0;
    for (let k = 0; k < 300; k++) {
      const jittered = base.map((v) => v * 10 ** ((rnd() - 0.5) * 0.6)); // ±0.3 decades
      if (r.observe(jittered) && k > 0) moves++;
    }
    assert.ok(moves <= 1, `${moves} moves under jitter`);
  });
});

describe('steps, colours and ticks on a range', () => {
  const r: LogRange = { lo: -4, hi: -2 };

  it('places a magnitude on the range logarithmically, clamped, and has no place for 0 or NaN', () => {
    assert.equal(scalePosition(1e-4, r), 0);
    assert.equal(scalePosition(1e-2, r), 1);
    near(scalePosition(1e-3, r)!, 0.5, 'middle');
    assert.equal(scalePosition(1e-9, r), 0);
    assert.equal(scalePosition(5, r), 1);
    assert.equal(scalePosition(Infinity, r), 1);
    assert.equal(scalePosition(0, r), null);
    assert.equal(scalePosition(NaN, r), null);
    assert.equal(scaleStep(0, r), -1);
    assert.equal(scaleStep(1e-3, r), STEPS / 2);
  });

  it('an edge changes step only once its magnitude has moved 0.3 decades, or 1.5 steps on a wide range (jitter does not restyle)', () => {
    const s0 = nextStep(-1, 1e-3, r); // 12 of 24 on 2 decades: 0.3 decades is 3.6 steps
    assert.equal(s0, 12);
    assert.equal(nextStep(s0, 1e-3 * 10 ** 0.29, r), s0, '+0.29 decades: same step');
    assert.equal(nextStep(s0, 1e-3 * 10 ** -0.29, r), s0, '-0.29 decades: same step');
    assert.equal(nextStep(s0, 1e-3 * 10 ** 0.31, r), 16, '+0.31 decades (3.7 steps): moves');
    assert.equal(nextStep(s0, 0, r), -1);
    const wide: LogRange = { lo: -9, hi: 3 }; // 2 steps a decade: 1.5 steps are 0.75 decades
    const w0 = nextStep(-1, 1e-3, wide);
    assert.equal(nextStep(w0, 1e-3 * 10 ** 0.7, wide), w0, '+0.7 decades: same step');
    assert.equal(nextStep(w0, 1e-3 * 10 ** 0.8, wide), w0 + 2, '+0.8 decades: moves');
  });

  it('widths and magnitude colours grow along the ramp', () => {
    assert.equal(stepWidth(0), MIN_WIDTH);
    assert.equal(stepWidth(STEPS), MAX_WIDTH);
    assert.ok(stepWidth(10) < stepWidth(11));
    assert.equal(stepColor(0), 'var(--grad-0)');
    assert.equal(stepColor(STEPS / 2), 'var(--grad-2)');
    assert.equal(stepColor(STEPS), 'var(--grad-4)');
    assert.equal(stepColor(STEPS / 8), 'color-mix(in srgb, var(--grad-1) 50%, var(--grad-0))');
  });

  it('the update ratio’s fixed scale: blue when stalled (≤ 1e-5), green when healthy (1e-4 … 1e-2), red when unstable (≥ 1e-1)', () => {
    const colour = (v: number) => stepColor(scaleStep(v, UPDATE_RANGE), HEALTH_RAMP);
    assert.equal(colour(1e-6), 'var(--grad-0)');
    assert.equal(colour(1e-5), 'var(--grad-0)');
    for (const v of [1e-4, 1e-3, 1e-2]) assert.equal(colour(v), 'var(--grad-1)', `${v}`);
    assert.equal(colour(1e-1), 'var(--grad-4)');
    assert.equal(colour(0.9), 'var(--grad-4)');
    assert.match(colour(5e-2), /color-mix/, 'between healthy and unstable: a mix');
    assert.deepEqual([1e-6, 1e-5, 5e-5, 1e-4, 1e-3, 1e-2, 5e-2, 1e-1, 2].map(updateHealth), [
      'stalled',
      'stalled',
      'low',
      'healthy',
      'healthy',
      'healthy',
      'high',
      'unstable',
      'unstable',
    ]);
    assert.equal(updateHealth(NaN), null);
  });

  it('an edge’s look from its style key', () => {
    assert.deepEqual(edgeLook(''), { className: '' });
    assert.deepEqual(edgeLook('g-1|'), { className: 'grad-none', step: -1 });
    assert.deepEqual(edgeLook('n|vanishing'), { className: 'grad-neutral grad-vanishing' });
    assert.deepEqual(edgeLook('g24|exploding'), { className: 'grad grad-exploding', step: 24, style: { stroke: 'var(--grad-4)', strokeWidth: MAX_WIDTH } });
    assert.equal(edgeLook('h12|').style!.stroke, 'var(--grad-1)', 'health ramp: 1e-3 is green');
    assert.equal(edgeLook('g12|').style!.stroke, 'var(--grad-2)', 'magnitude ramp: the middle is yellow');
  });

  it('ticks at the bounds, and whole decades between where their labels have room; labels', () => {
    assert.deepEqual(ticks({ lo: -6, hi: -1 }).map(tickLabel), ['1e-6', '1e-4', '1e-3', '1e-1']);
    assert.deepEqual(ticks({ lo: -4.5, hi: -2 }).map(tickLabel), ['3.2e-5', '1e-3', '1e-2']);
    assert.deepEqual(ticks({ lo: -1, hi: 1 }).map(tickLabel), ['1e-1', '1', '1e1']);
    assert.deepEqual([0, 3.2149e-4, 0.012345, 12.345, 4560, NaN].map(formatMagnitude), ['0', '3.21e-4', '0.0123', '12.3', '4.56e+3', 'NaN']);
    assert.deepEqual([0, 1.234e-3, 1e-4, 0.314, 12.3, 4560].map(formatShort), ['0', '1.2e-3', '1e-4', '0.31', '12', '4.6e3']);
  });
});

describe('the overlay store', () => {
  it('keeps the latest value and flag per edge, the last 100 values, and the flag counts', () => {
    const o = new OverlayStore();
    let calls = 0;
    o.subscribe(() => calls++);
    assert.equal(o.cell(0), null);
    assert.equal(o.styleKey(0), '');
    o.update(update(1, [0, 1e-9, 5e3], [null, 'vanishing', 'exploding']));
    assert.deepEqual(o.cell(1), { value: 1e-9, flag: 'vanishing' });
    assert.equal(o.vanishing, 1);
    assert.equal(o.exploding, 1);
    assert.equal(o.styleKey(0), 'g-1|', 'no gradient: no step');
    assert.equal(o.styleKey(1), 'g0|vanishing', 'the bottom of the range');
    assert.equal(o.styleKey(2), `g${STEPS}|exploding`, 'the top of the range');
    assert.equal(o.paramNorm('fc'), 1);
    assert.equal(o.paramNorm('constructor'), undefined);
    for (let s = 2; s <= 150; s++) o.update(update(s, [0, s, s * 2]));
    assert.equal(o.history(1).length, HISTORY);
    assert.deepEqual(o.history(1).slice(0, 2), [51, 52]);
    assert.equal(o.history(1).at(-1), 150);
    assert.equal(o.vanishing, 0);
    assert.equal(calls, 150);
    // The same step again (a view attached again) changes nothing.
    o.update(update(150, [0, 1, 1]));
    assert.equal(calls, 150);
    assert.equal(o.cell(1)!.value, 150);
    // An earlier step is a new run: the history starts afresh.
    o.update(update(1, [0, 7, 7]));
    assert.deepEqual(o.history(1), [7]);
  });

  it('the edges of a run spread over the colours: a 6-layer run spanning 1e-6 … 1e-1 uses the whole ramp', () => {
    const o = new OverlayStore();
    o.update(update(1, [0, ...logSpaced(-6, -1, 6)]));
    assert.deepEqual(o.range(), { lo: -6, hi: -1 });
    const steps = [1, 2, 3, 4, 5, 6].map((i) => Number(o.styleKey(i).split('|')[0].slice(1)));
    // 1e-6 sits at the bottom; 1e-1 at the top; a decade is 24/5 = 4.8 steps.
    assert.deepEqual(steps, [0, 5, 10, 14, 19, 24]);
    // The old fixed 1e-8…1e2 scale gave these six edges 4 steps a decade out of 40: 8 … 28, a middle half.
  });

  it('a new run starts its scale afresh (it does not keep the old run’s range)', () => {
    const o = new OverlayStore();
    for (let s = 1; s <= 5; s++) o.update(update(s, logSpaced(-2, 0, 4)));
    assert.deepEqual(o.range(), { lo: -2, hi: 0 });
    o.update(update(1, logSpaced(-7, -5, 4)));
    assert.deepEqual(o.range(), { lo: -7, hi: -5 });
  });

  it('an update within the hysteresis keeps every style key (so no path re-renders)', () => {
    const o = new OverlayStore();
    const base = logSpaced(-5, -2, 7);
    o.update(update(1, base));
    const keys = base.map((_, i) => o.styleKey(i));
    o.update(
      update(
        2,
        base.map((v) => v * 1.2),
      ),
    );
    assert.deepEqual(
      base.map((_, i) => o.styleKey(i)),
      keys,
    );
  });

  describe('per mode', () => {
    // x → fc1 → act1 → fc2 → loss ← y
    const shape = 'x>fc1:0|fc1>act1:0|act1>fc2:0|fc2>loss:0|y>loss:1';
    const params: Record<string, ParamStats> = {
      fc1: { gradRms: 1e-5, weightRms: 0.5, updateRatio: 1e-3 },
      fc2: { gradRms: 1e-2, weightRms: 0.05, updateRatio: 0.2 },
    };
    const edges = [0, 1e-4, 1e-4, 1e-2, 0];
    const store = () => {
      const o = new OverlayStore();
      o.setShape(shape, 5);
      o.update(
        update(
          1,
          edges,
          edges.map(() => null),
          params,
        ),
      );
      return o;
    };
    const stepOf = (key: string) => Number(key.split('|')[0].slice(1));

    it('gradient: edges by their own gradient; no node badges', () => {
      const o = store();
      assert.equal(o.mode, 'gradient');
      assert.match(o.styleKey(1), /^g\d+\|$/);
      assert.equal(o.badgeKey('fc1'), '');
    });

    it('update: the ratio of the node an edge leaves, on the health scale; other edges neutral; a badge on each parameterised node', () => {
      const o = store();
      let calls = 0;
      o.subscribe(() => calls++);
      o.setMode('update');
      assert.equal(calls, 1, 'a mode change is a change');
      // 1e-3 on 1e-6 … 1 sits half way: step 12; 0.2 at (log10 0.2 + 6) / 6 × 24 = 21.2 → 21.
      assert.equal(o.styleKey(1), 'h12|', 'fc1 → act1 carries fc1’s ratio');
      assert.equal(o.styleKey(3), 'h21|', 'fc2 → loss carries fc2’s ratio');
      assert.equal(o.styleKey(0), 'n|', 'x → fc1 leaves no parameterised node');
      assert.equal(o.styleKey(2), 'n|', 'act1 → fc2 neither');
      assert.equal(o.badgeKey('fc1'), 'h12|1e-3');
      assert.equal(o.badgeKey('fc2'), 'h21|0.2');
      assert.equal(o.badgeKey('act1'), '');
      o.setMode('update');
      o.setMode('bogus' as never);
      assert.equal(calls, 1, 'the same or an unknown mode: no change');
    });

    it('weight: the weight RMS of the node an edge leaves, on the run’s adaptive range', () => {
      const o = store();
      o.setMode('weight');
      const r = o.range()!;
      assert.ok(r.lo <= Math.log10(0.05) && r.hi >= Math.log10(0.5), JSON.stringify(r));
      assert.ok(stepOf(o.styleKey(1)) > stepOf(o.styleKey(3)), 'fc1 (0.5) above fc2 (0.05)');
      assert.equal(o.styleKey(0), 'n|');
      assert.match(o.badgeKey('fc1'), /^g\d+\|0\.5$/);
      assert.match(o.badgeKey('fc2'), /^g\d+\|0\.05$/);
    });

    it('a run without parameter statistics: nothing to draw in update and weight modes', () => {
      const o = new OverlayStore();
      o.setShape(shape, 5);
      o.update(update(1, edges));
      o.setMode('update');
      assert.equal(o.paramCount, 0);
      assert.equal(o.badgeKey('fc1'), '');
      assert.equal(o.styleKey(1), 'n|');
      assert.deepEqual(o.depthProfile(), []);
    });

    it('the depth profile: parameterised nodes in forward order with their gradient RMS and norm', () => {
      const o = new OverlayStore();
      o.setShape(shape, 5);
      // Sent out of order: fc2 first.
      o.update({ step: 1, edges, flags: edges.map(() => null), paramNorms: { fc1: 0.3, fc2: 0.7 }, params: { fc2: params.fc2, fc1: params.fc1 } });
      assert.deepEqual(o.depthProfile(), [
        { id: 'fc1', gradRms: 1e-5, norm: 0.3 },
        { id: 'fc2', gradRms: 1e-2, norm: 0.7 },
      ]);
      assert.equal(o.depthProfile(), o.depthProfile(), 'cached between updates');
      assert.ok(o.depthProfileRange!.lo <= -5 && o.depthProfileRange!.hi >= -2);
    });
  });

  it('forward order: after every node a node is reachable from through the document’s edges; otherwise the host’s order', () => {
    // x → a → r → b → c, and a parallel branch x → p; the host lists c, p, a, b.
    const stats = { gradRms: 1e-3, weightRms: 0.1, updateRatio: 1e-3 };
    const params = { c: stats, p: stats, a: stats, b: stats };
    const o = new OverlayStore();
    o.setShape('x>a:0|a>r:0|r>b:0|b>c:0|x>p:0', 5);
    o.update(update(1, [0, 0, 0, 0, 0], undefined, params));
    assert.deepEqual(o.forwardOrder(), ['p', 'a', 'b', 'c']);
    const unshaped = new OverlayStore();
    unshaped.update(update(1, [0, 0, 0, 0, 0], undefined, params));
    assert.deepEqual(unshaped.forwardOrder(), ['c', 'p', 'a', 'b'], 'no edges known: the host’s order');
  });

  it('fits the document: updates of another length are ignored, and a change of edges clears it', () => {
    const o = new OverlayStore();
    o.setShape('a>b:0|b>c:0', 2);
    assert.equal(o.update(update(1, [1, 2, 3])), false);
    assert.equal(o.hasData, false);
    assert.equal(o.update(update(1, [1, 2])), true);
    o.setShape('a>b:0|b>c:0', 2);
    assert.equal(o.hasData, true, 'the same edges keep it');
    o.setShape('a>b:0|b>d:0', 2);
    assert.equal(o.hasData, false, 'other edges clear it');
    assert.equal(o.cell(0), null);
    o.update(update(2, [1, 2]));
    o.clear();
    assert.equal(o.step, -1);
    assert.deepEqual(o.history(0), []);
  });
});
