/** Comparing a fast kernel's output with the reference where non-finite values are part of the answer. */
import assert from 'node:assert/strict';

/**
 * got equals want: NaN where want is NaN, the same infinity where want is infinite, and within
 * atol + rtol·|want| elsewhere (0, 0: bit-for-bit up to the sign of zero).
 */
export function assertSame(got: ArrayLike<number> | null, want: ArrayLike<number>, what: string, rtol = 0, atol = 0): void {
  if (!got) return assert.fail(`${what}: the fast kernel did not run`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g: number = got[i],
      w: number = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) assert.fail(`${what}: element ${i} is ${g}, expected ${w}`);
  }
}
