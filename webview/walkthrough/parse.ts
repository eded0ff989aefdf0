// Checks the walk-through's trace and the weight images the host sends (protocol WalkthroughMessage, WeightsMessage)
// field by field, with caps on every list, building fresh objects from what passes: a malformed message is dropped,
// never half drawn. No DOM here (webview/host.ts calls it; Node tests too).
import {
  HISTOGRAM_BINS,
  TINY_TENSOR,
  WEIGHT_IMAGE_LIMITS,
  type BackwardTrace,
  type EdgeTrace,
  type ForwardTrace,
  type Heatmap,
  type InputGradTrace,
  type ParamGradTrace,
  type ParamImages,
  type ParamUpdateTrace,
  type PrimitiveTrace,
  type StepTrace,
  type TensorSummary,
  type UpdateTrace,
  type WeightImage,
} from '../../protocol/messages';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number';
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const count = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/** Caps: a model's nodes and edges (the engine's), ranks, primitives per node, cells of an image. */
export const TRACE_CAPS = {
  nodes: 10_000,
  edges: 50_000,
  rank: 8,
  primitives: 256,
  /** A heatmap of an output: at most this many cells. */
  heatmapCells: 64 * 256,
  /** A weight image: the most weightImage draws (a matrix, or kernels of the largest side). */
  imageCells: Math.max(
    WEIGHT_IMAGE_LIMITS.matrixRows * WEIGHT_IMAGE_LIMITS.matrixCols,
    WEIGHT_IMAGE_LIMITS.kernelsOut * WEIGHT_IMAGE_LIMITS.kernelsIn * WEIGHT_IMAGE_LIMITS.kernelSide ** 2,
  ),
  text: 1000,
  omitted: 32,
};

/** Summary statistics (protocol TensorSummary), or undefined. */
export function summaryOf(v: unknown): TensorSummary | undefined {
  if (!isObj(v)) return undefined;
  const { count: n, mean, std, min, max, histogram, values } = v;
  if (!finite(n) || !isNum(mean) || !isNum(std) || !isNum(min) || !isNum(max)) return undefined;
  if (!Array.isArray(histogram) || histogram.length > HISTOGRAM_BINS || !histogram.every(finite)) return undefined;
  const out: TensorSummary = { count: n, mean, std, min, max, histogram: histogram as number[] };
  if (Array.isArray(values) && values.length <= TINY_TENSOR && values.every(isNum)) out.values = values as number[];
  return out;
}

function shapeOf(v: unknown): number[] | null {
  return Array.isArray(v) && v.length <= TRACE_CAPS.rank && v.every((d) => count(d, 1 << 30)) ? (v as number[]) : null;
}

function text(v: unknown): string | null {
  return isStr(v) && v.length <= TRACE_CAPS.text ? v : null;
}

/** A list of at most `max` items, each parsed; null if the list or any item is bad. */
function listOf<T>(v: unknown, max: number, parse: (x: unknown) => T | null): T[] | null {
  if (!Array.isArray(v) || v.length > max) return null;
  const out: T[] = [];
  for (const x of v) {
    const t = parse(x);
    if (t === null) return null;
    out.push(t);
  }
  return out;
}

export function weightImageOf(v: unknown): WeightImage | null {
  if (!isObj(v)) return null;
  const shape = shapeOf(v.shape);
  const { layout, rows, cols, rowBlock, colBlock, outChannels, inChannels, values, min, max, nonFinite } = v;
  if (
    !shape ||
    (layout !== 'matrix' && layout !== 'kernels') ||
    !count(rows, 1 << 16) ||
    !count(cols, 1 << 16) ||
    !count(rowBlock, 1 << 30) ||
    !count(colBlock, 1 << 30)
  )
    return null;
  if (!finite(min) || !finite(max) || !Array.isArray(values) || values.length > TRACE_CAPS.imageCells || !values.every(finite)) return null;
  const image: WeightImage = { shape, layout, rows, cols, rowBlock, colBlock, values: values as number[], min, max };
  if (layout === 'kernels') {
    if (!count(outChannels, WEIGHT_IMAGE_LIMITS.kernelsOut) || !count(inChannels, WEIGHT_IMAGE_LIMITS.kernelsIn)) return null;
    if (values.length !== outChannels * inChannels * rows * cols) return null;
    image.outChannels = outChannels;
    image.inChannels = inChannels;
  } else if (values.length !== rows * cols) return null;
  if (nonFinite !== undefined) {
    if (!count(nonFinite, Number.MAX_SAFE_INTEGER)) return null;
    image.nonFinite = nonFinite;
  }
  return image;
}

export function paramImagesOf(v: unknown): ParamImages | null {
  if (!isObj(v)) return null;
  const name = text(v.name),
    key = text(v.key),
    value = weightImageOf(v.value);
  if (name === null || key === null || !value) return null;
  const grad = v.grad === undefined ? undefined : weightImageOf(v.grad);
  if (grad === null) return null;
  return { name, key, value, ...(grad ? { grad } : {}) };
}

function heatmapOf(v: unknown): Heatmap | null {
  if (!isObj(v)) return null;
  const { rows, cols, colBlock, sourceRows, sourceCols, values } = v;
  if (!count(rows, 4096) || !count(cols, 4096) || !count(colBlock, 1 << 30) || !count(sourceRows, 1 << 30) || !count(sourceCols, 1 << 30)) return null;
  if (!Array.isArray(values) || values.length !== rows * cols || values.length > TRACE_CAPS.heatmapCells || !values.every(finite)) return null;
  return { rows, cols, colBlock, sourceRows, sourceCols, values: values as number[] };
}

function forwardOf(v: unknown): ForwardTrace | null {
  if (!isObj(v)) return null;
  const node = text(v.node),
    op = text(v.op),
    shape = shapeOf(v.shape);
  if (node === null || op === null || !shape || !finite(v.ms)) return null;
  const out: ForwardTrace = { node, op, shape, ms: v.ms };
  const output = summaryOf(v.output);
  if (output) out.output = output;
  if (v.heatmap !== undefined) {
    const h = heatmapOf(v.heatmap);
    if (!h) return null;
    out.heatmap = h;
  }
  return out;
}

function primitiveOf(v: unknown): PrimitiveTrace | null {
  if (!isObj(v)) return null;
  const op = text(v.op),
    output = shapeOf(v.output),
    inputs = listOf(v.inputs, 64, shapeOf),
    gradOut = summaryOf(v.gradOut);
  if (op === null || !output || !inputs || !gradOut || !finite(v.ms)) return null;
  return { op, inputs, output, gradOut, ms: v.ms };
}

function inputGradOf(v: unknown): InputGradTrace | null {
  if (!isObj(v)) return null;
  const from = text(v.from),
    shape = shapeOf(v.shape);
  if (from === null || !shape || !count(v.port, 64) || !count(v.edge, TRACE_CAPS.edges)) return null;
  const grad = summaryOf(v.grad);
  return { port: v.port, edge: v.edge, from, shape, ...(grad ? { grad } : {}) };
}

function paramGradOf(v: unknown): ParamGradTrace | null {
  if (!isObj(v)) return null;
  const key = text(v.key),
    name = text(v.name),
    shape = shapeOf(v.shape);
  if (key === null || name === null || !shape) return null;
  const grad = summaryOf(v.grad);
  return { key, name, shape, ...(grad ? { grad } : {}) };
}

function backwardOf(v: unknown): BackwardTrace | null {
  if (!isObj(v)) return null;
  const node = text(v.node),
    op = text(v.op),
    shape = shapeOf(v.shape),
    gradOut = summaryOf(v.gradOut);
  const consumers = listOf(v.consumers, TRACE_CAPS.edges, (x) => (count(x, TRACE_CAPS.edges) ? x : null));
  const inputs = listOf(v.inputs, 64, inputGradOf);
  const params = listOf(v.params, 16, paramGradOf);
  const primitives = listOf(v.primitives, TRACE_CAPS.primitives, primitiveOf);
  if (node === null || op === null || !shape || !gradOut || !consumers || !inputs || !params || !primitives) return null;
  if (!count(v.primitivesOmitted, Number.MAX_SAFE_INTEGER) || !finite(v.ms)) return null;
  const derivative = v.derivative === undefined ? undefined : text(v.derivative);
  if (derivative === null) return null;
  return {
    node,
    op,
    shape,
    gradOut,
    consumers,
    inputs,
    params,
    primitives,
    primitivesOmitted: v.primitivesOmitted,
    ms: v.ms,
    ...(derivative ? { derivative } : {}),
  };
}

function edgeOf(v: unknown): EdgeTrace | null {
  if (!isObj(v)) return null;
  const from = text(v.from),
    to = text(v.to),
    shape = shapeOf(v.shape);
  if (from === null || to === null || !shape || !count(v.index, TRACE_CAPS.edges) || !count(v.port, 64)) return null;
  const grad = summaryOf(v.grad);
  return { index: v.index, from, to, port: v.port, shape, ...(grad ? { grad } : {}) };
}

function paramUpdateOf(v: unknown): ParamUpdateTrace | null {
  if (!isObj(v)) return null;
  const key = text(v.key),
    name = text(v.name),
    shape = shapeOf(v.shape);
  const before = summaryOf(v.before),
    after = summaryOf(v.after),
    delta = summaryOf(v.delta);
  if (key === null || name === null || !shape || !before || !after || !delta) return null;
  const out: ParamUpdateTrace = { key, name, shape, before, after, delta };
  if (v.images !== undefined) {
    if (!isObj(v.images)) return null;
    const b = weightImageOf(v.images.before),
      a = weightImageOf(v.images.after);
    const g = v.images.grad === undefined ? undefined : weightImageOf(v.images.grad);
    if (!b || !a || g === null) return null;
    out.images = { before: b, after: a, ...(g ? { grad: g } : {}) };
  }
  return out;
}

function updateOf(v: unknown): UpdateTrace | null {
  if (!isObj(v)) return null;
  const node = text(v.node),
    op = text(v.op),
    params = listOf(v.params, 16, paramUpdateOf);
  return node !== null && op !== null && params ? { node, op, params } : null;
}

/** A step trace, checked whole (null when any part is malformed or over its cap). */
export function traceOf(v: unknown): StepTrace | null {
  if (!isObj(v)) return null;
  const { step, epoch, loss, batchSize, optimizer, limits } = v;
  if (!count(step, Number.MAX_SAFE_INTEGER) || !count(epoch, Number.MAX_SAFE_INTEGER) || !isNum(loss) || !count(batchSize, Number.MAX_SAFE_INTEGER))
    return null;
  if (!isObj(optimizer) || text(optimizer.name) === null || text(optimizer.rule) === null) return null;
  if (!isObj(limits) || !['primitives', 'heatmapRows', 'heatmapCols', 'imageCells'].every((k) => count(limits[k], Number.MAX_SAFE_INTEGER))) return null;
  const feeds = listOf(v.feeds, TRACE_CAPS.nodes, forwardOf);
  const forward = listOf(v.forward, TRACE_CAPS.nodes, forwardOf);
  const backward = listOf(v.backward, TRACE_CAPS.nodes, backwardOf);
  const outside = listOf(v.outside, TRACE_CAPS.primitives, primitiveOf);
  const edges = listOf(v.edges, TRACE_CAPS.edges, edgeOf);
  const update = listOf(v.update, TRACE_CAPS.nodes, updateOf);
  const omitted = listOf(v.omitted, TRACE_CAPS.omitted, text);
  if (!feeds || !forward || !backward || !outside || !edges || !update || !omitted) return null;
  return {
    step,
    epoch,
    loss,
    batchSize,
    optimizer: { name: optimizer.name as string, rule: optimizer.rule as string },
    feeds,
    forward,
    backward,
    outside,
    edges,
    update,
    limits: {
      primitives: limits.primitives as number,
      heatmapRows: limits.heatmapRows as number,
      heatmapCols: limits.heatmapCols as number,
      imageCells: limits.imageCells as number,
    },
    omitted,
  };
}
