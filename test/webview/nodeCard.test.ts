// The node hover card's pure parts: where the card goes (beside the node, never off the canvas) and how its
// statistics print.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CARD_GAP, CARD_MARGIN, placeCard, type Rect } from '../../webview/training/cardPlacement';
import { formatShape, formatStat } from '../../webview/training/statFormat';

const card = { width: 228, height: 300 };
const canvas = { width: 1000, height: 700 };
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('hover card placement', () => {
  it('puts the card to the right of the node, top-aligned, where it fits', () => {
    const node = { x: 100, y: 50, width: 160, height: 90 };
    assert.deepEqual(placeCard(node, card, canvas), { left: 100 + 160 + CARD_GAP, top: 50 });
  });

  it('puts it on the left of a node near the right edge', () => {
    const node = { x: 800, y: 50, width: 160, height: 90 };
    assert.deepEqual(placeCard(node, card, canvas), { left: 800 - CARD_GAP - 228, top: 50 });
  });

  it('puts it below a node with no room on either side, and above when there is none below either', () => {
    const narrow = { width: 400, height: 700 };
    assert.deepEqual(placeCard({ x: 100, y: 50, width: 160, height: 90 }, card, narrow), { left: 100, top: 50 + 90 + CARD_GAP });
    assert.deepEqual(placeCard({ x: 100, y: 380, width: 160, height: 90 }, card, narrow), { left: 100, top: 380 - CARD_GAP - 300 });
  });

  it('moves a card that would run off the bottom up into the canvas', () => {
    const node = { x: 100, y: 600, width: 160, height: 90 };
    const at = placeCard(node, card, canvas);
    assert.equal(at.left, 100 + 160 + CARD_GAP);
    assert.equal(at.top, canvas.height - CARD_MARGIN - card.height);
  });

  it('never leaves the canvas and never covers the node where there is room beside it, wherever the node is', () => {
    for (let x = -300; x <= 1200; x += 37) {
      for (let y = -200; y <= 900; y += 41) {
        const node = { x, y, width: 160, height: 90 };
        const at = placeCard(node, card, canvas);
        assert.ok(at.left >= CARD_MARGIN && at.left + card.width <= canvas.width - CARD_MARGIN, `x ${x}, y ${y}: left ${at.left}`);
        assert.ok(at.top >= CARD_MARGIN && at.top + card.height <= canvas.height - CARD_MARGIN, `x ${x}, y ${y}: top ${at.top}`);
        const visible = x >= 0 && x + 160 <= canvas.width && y >= 0 && y + 90 <= canvas.height;
        if (visible) assert.ok(!overlaps({ x: at.left, y: at.top, ...card }, node), `x ${x}, y ${y}: covers the node`);
      }
    }
  });

  it('starts a card larger than the canvas at the margin, so its beginning shows', () => {
    assert.deepEqual(placeCard({ x: 50, y: 40, width: 100, height: 60 }, card, { width: 200, height: 150 }), { left: CARD_MARGIN, top: CARD_MARGIN });
  });
});

describe('statistics formatting', () => {
  it('prints 4 significant digits, in exponent form outside 1e-3…1e4', () => {
    assert.equal(formatStat(0), '0');
    assert.equal(formatStat(-0), '0');
    assert.equal(formatStat(1), '1');
    assert.equal(formatStat(-0.095398), '-0.0954');
    assert.equal(formatStat(1.7941), '1.794');
    assert.equal(formatStat(0.001), '0.001');
    assert.equal(formatStat(512), '512');
    assert.equal(formatStat(-0.00074121), '-7.412e-4');
    assert.equal(formatStat(123456), '1.235e+5');
    assert.equal(formatStat(2e-9), '2e-9');
    assert.equal(formatStat(NaN), 'NaN');
    assert.equal(formatStat(-Infinity), '-Infinity');
  });

  it('reads back within half a unit of the 4th digit', () => {
    for (let e = -12; e <= 12; e++) {
      for (const m of [1, 1.23456, -3.14159, 9.99949, 5.55555]) {
        const v = m * 10 ** e;
        const back = Number(formatStat(v));
        assert.ok(Math.abs(back - v) <= 5e-4 * Math.abs(v), `${v} printed ${formatStat(v)}`);
      }
    }
  });

  it('prints a concrete shape as the canvas prints static ones', () => {
    assert.equal(formatShape([16, 2]), '16×2');
    assert.equal(formatShape([]), 'scalar');
  });
});
