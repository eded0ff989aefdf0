/** The gradient check's result as the table a person reads (the command line prints it; the editor logs it). */
import { TOLERANCES, type GradCheckResult, type TensorCheck } from './gradcheck';

const sci = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
/** A duration for a person: ms, s, min or h. */
const duration = (x: number) =>
  x < 1000 ? `${ms(x)} ms` : x < 120_000 ? `${(x / 1000).toFixed(1)} s` : x < 7_200_000 ? `${(x / 60_000).toFixed(1)} min` : `${(x / 3_600_000).toFixed(1)} h`;

function verdict(t: TensorCheck): string {
  if (t.status === 'fail') return 'FAIL';
  return t.belowResolution ? 'pass (below resolution)' : 'pass';
}

/** The table a person reads: one row per tensor, then what backprop and the finite differences cost. */
export function formatGradCheckReport(r: GradCheckResult, modelName: string): string {
  const head = ['tensor', 'node', 'shape', 'checked', 'max |g−n|', 'rel error', 'kinks', 'result'];
  const rows = r.tensors.map((t) => [
    t.name,
    t.nodeId,
    `[${t.shape.join(', ')}]`,
    String(t.checked),
    sci(t.maxAbsError),
    sci(t.relError),
    String(t.kinks),
    verdict(t),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n';
  const tensors = r.tensors.length;
  const passed = tensors - r.failed;
  const probes = r.numeric.forwardPasses - 2 * r.checked;
  return [
    `gradcheck ${modelName}: float32 backprop (${r.backprop.backend}) against float64 central differences, ε ${r.eps.toExponential()}, up to ${r.samples} entries per tensor (seed ${r.seed})\n`,
    `loss ${r.loss} (float32), ${r.loss64} (float64)\n\n`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '\n',
    `backprop:            1 backward pass, ${ms(r.backprop.backwardMs)} ms, gave all ${r.backprop.gradients} gradient values at once (its forward: ${ms(r.backprop.forwardMs)} ms)\n`,
    `finite differences:  ${r.numeric.forwardPasses} forward passes (2 per checked entry, ${r.checked} entries${probes ? `; ${probes} more for the kink test` : ''}) + 1 unperturbed, ${duration(r.numeric.ms)}: ${r.numeric.timeRatio.toFixed(0)}× the backward pass's time, for ${r.checked} of the ${r.backprop.gradients} values\n`,
    `                     all ${r.backprop.gradients} values this way: ${r.numeric.allValues.forwardPasses} forward passes, about ${duration(r.numeric.allValues.msEstimate)}\n`,
    `tolerances:          relative error ≤ ${TOLERANCES.relative}, or every |g − n| ≤ ${sci(r.tolerance.absolute)} (${TOLERANCES.absoluteOfLargest.toExponential()} of the largest gradient)\n`,
    `result:              ${r.failed ? `${r.failed} of ${tensors} tensor${tensors === 1 ? '' : 's'} FAIL` : `all ${tensors} tensor${tensors === 1 ? '' : 's'} pass`}${r.failed ? `, ${passed} pass` : ''}; ${r.kinks} entr${r.kinks === 1 ? 'y' : 'ies'} at a kink (not failures)\n`,
  ].join('');
}
