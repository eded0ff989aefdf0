/**
 * `backprop-studio gradcheck MODEL.nn.json [--feed FEED.json] [--node ID] [--samples K] [--eps E] [--out FILE.json]`:
 * the engine's float32 gradients against float64 central differences (engine/check/gradcheck.ts). Prints a table
 * per tensor and the totals; writes the whole result as JSON to --out. Exit 0 when every tensor passes (kinks
 * included), 4 when any fails; usage (2), a bad model or feed (1) and a non-finite loss or gradient (3) first.
 */
import {
  checkGradients, gradCheckTargets, GradCheckNonFiniteError, GRADCHECK_DEFAULT_EPS, GRADCHECK_DEFAULT_SAMPLES, GRADCHECK_TOLERANCES,
  type GradCheckResult, type TensorCheck,
} from '../engine';
import { UsageError } from './args';
import { NonFiniteError } from './commands';
import { datasetBatch } from './datasetBatch';
import { checkWritable, writeOrRescue } from './files';
import { loadFeed, loadModel } from './load';

/** Options only gradcheck takes. */
export const GRADCHECK_FLAGS = ['node', 'samples', 'eps'] as const;

/** Exit code when a tensor's gradient disagrees with the finite differences. */
export const GRADCHECK_FAILED = 4;

export async function runGradcheck(modelPath: string | undefined, rest: string[], flags: Map<string, string | true>, out: NodeJS.WritableStream): Promise<number> {
  if (!modelPath) throw new UsageError('gradcheck needs a model file: backprop-studio gradcheck MODEL.nn.json [--feed FEED.json]');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  for (const flag of ['steps', 'epochs', 'batch-size']) if (flags.has(flag)) throw new UsageError(`--${flag} does not apply to gradcheck`);
  const samples = samplesFlag(flags.get('samples'));
  const eps = epsFlag(flags.get('eps'));
  // Value flags: the parser has made sure each has a value.
  const node = flags.get('node') as string | undefined;
  const feedPath = flags.get('feed') as string | undefined;
  const outPath = flags.get('out') as string | undefined;
  // Every check before the work: the destination, the model, the feed (or the dataset's batch), the node.
  if (outPath !== undefined) checkWritable(outPath, '--out');
  const model = loadModel(modelPath);
  const feeds = feedPath !== undefined ? loadFeed(feedPath, model, true) : datasetBatch(modelPath, model, 'gradcheck');
  try {
    gradCheckTargets(model, feeds, node);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--node: ${e.message}`);
    throw e;
  }
  let result: GradCheckResult;
  try {
    result = await checkGradients(model, feeds, { samples, eps, nodeId: node });
  } catch (e) {
    if (e instanceof GradCheckNonFiniteError) throw new NonFiniteError(e.message);
    throw e;
  }
  out.write(formatReport(result, modelPath));
  if (outPath !== undefined) {
    const json = { model: modelPath, feed: feedPath ?? 'training.dataset (the first training batch)', ...result };
    writeOrRescue(outPath, JSON.stringify(json) + '\n', '--out');
  }
  return result.passed ? 0 : GRADCHECK_FAILED;
}

function samplesFlag(v: string | true | undefined): number {
  if (v === undefined) return GRADCHECK_DEFAULT_SAMPLES;
  if (typeof v !== 'string' || !/^[1-9]\d{0,8}$/.test(v)) throw new UsageError('--samples needs a positive integer (entries checked per tensor)');
  return Number(v);
}

function epsFlag(v: string | true | undefined): number {
  if (v === undefined) return GRADCHECK_DEFAULT_EPS;
  const x = typeof v === 'string' && /^\s*$/.test(v) ? NaN : Number(v);
  if (!(Number.isFinite(x) && x > 0 && x < 1)) throw new UsageError(`--eps needs a number between 0 and 1 (the finite-difference step, default ${GRADCHECK_DEFAULT_EPS}), found ${JSON.stringify(v)}`);
  return x;
}

const sci = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
/** A duration for a person: ms, s, min or h. */
const duration = (x: number) => (x < 1000 ? `${ms(x)} ms` : x < 120_000 ? `${(x / 1000).toFixed(1)} s` : x < 7_200_000 ? `${(x / 60_000).toFixed(1)} min` : `${(x / 3_600_000).toFixed(1)} h`);

function verdict(t: TensorCheck): string {
  if (t.status === 'fail') return 'FAIL';
  return t.belowResolution ? 'pass (below resolution)' : 'pass';
}

/** The table a person reads: one row per tensor, then what backprop and the finite differences cost. */
export function formatReport(r: GradCheckResult, modelPath: string): string {
  const head = ['tensor', 'node', 'shape', 'checked', 'max |g−n|', 'rel error', 'kinks', 'result'];
  const rows = r.tensors.map((t) => [t.name, t.nodeId, `[${t.shape.join(', ')}]`, String(t.checked), sci(t.maxAbsError), sci(t.relError), String(t.kinks), verdict(t)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n';
  const tensors = r.tensors.length;
  const passed = tensors - r.failed;
  return [
    `gradcheck ${modelPath}: float32 backprop (${r.backprop.backend}) against float64 central differences, ε ${r.eps.toExponential()}, up to ${r.samples} entries per tensor (seed ${r.seed})\n`,
    `loss ${r.loss} (float32), ${r.loss64} (float64)\n\n`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '\n',
    `backprop:            1 backward pass, ${ms(r.backprop.backwardMs)} ms, gave all ${r.backprop.gradients} gradient values at once (its forward: ${ms(r.backprop.forwardMs)} ms)\n`,
    `finite differences:  ${r.numeric.forwardPasses} forward passes (2 per checked entry, ${r.checked} entries) + 1 unperturbed, ${duration(r.numeric.ms)}: ${r.numeric.timeRatio.toFixed(0)}× the backward pass's time, for ${r.checked} of the ${r.backprop.gradients} values\n`,
    `                     all ${r.backprop.gradients} values this way: ${r.numeric.allValues.forwardPasses} forward passes, about ${duration(r.numeric.allValues.msEstimate)}\n`,
    `tolerances:          relative error ≤ ${GRADCHECK_TOLERANCES.relative}, or every |g − n| ≤ ${sci(r.tolerance.absolute)} (${GRADCHECK_TOLERANCES.absoluteOfLargest.toExponential()} of the largest gradient)\n`,
    `result:              ${r.failed ? `${r.failed} of ${tensors} tensor${tensors === 1 ? '' : 's'} FAIL` : `all ${tensors} tensor${tensors === 1 ? '' : 's'} pass`}${r.failed ? `, ${passed} pass` : ''}; ${r.kinks} entr${r.kinks === 1 ? 'y' : 'ies'} at a kink (not failures)\n`,
  ].join('');
}
