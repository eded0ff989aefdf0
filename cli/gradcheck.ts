/**
 * `backprop-studio gradcheck MODEL.nn.json [--feed FEED.json] [--node ID] [--samples K] [--eps E] [--out FILE.json]`:
 * the engine's float32 gradients against float64 central differences (engine/check/gradcheck.ts). Prints a table
 * per tensor and the totals; writes the whole result as JSON to --out. Exit 0 when every tensor passes (kinks
 * included), 4 when any fails; usage (2), a bad model or feed (1) and a non-finite loss or gradient (3) first.
 */
import {
  checkGradients,
  formatGradCheckReport,
  gradCheckTargets,
  GradCheckNonFiniteError,
  GRADCHECK_DEFAULT_EPS,
  GRADCHECK_DEFAULT_SAMPLES,
  type GradCheckResult,
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

export async function runGradcheck(
  modelPath: string | undefined,
  rest: string[],
  flags: Map<string, string | true>,
  out: NodeJS.WritableStream,
): Promise<number> {
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
  out.write(formatGradCheckReport(result, modelPath));
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
  if (!(Number.isFinite(x) && x > 0 && x < 1))
    throw new UsageError(`--eps needs a number between 0 and 1 (the finite-difference step, default ${GRADCHECK_DEFAULT_EPS}), found ${JSON.stringify(v)}`);
  return x;
}
