// The training panel's rewire offer: choosing a dataset of the other kind (classification ↔ regression) for a
// model whose Target and loss fit the old kind. It works out what the new kind needs (the Target's dtype and
// shape, the loss op, the width of the layer feeding the loss) and the edits that do it, so the panel can offer
// them with the dataset change as one batch edit (one undo step). No DOM here, so Node tests use it.
//
// Kinds: the Playground sets and digits are classification, regress-* regression; a CSV file's kind is only
// known from its labels, so CSV (and a source the panel does not know) is 'unknown' and never offered.
// What fits: classification is CrossEntropyLoss on int32 class indices, or BCEWithLogitsLoss on float32 0/1
// values; regression is MSELoss on a float32 Target. A rewire to classification uses CrossEntropyLoss with an
// int32 Target of shape [] and as many logits as the set has classes (2, or 10 for digits); to regression,
// MSELoss with a float32 Target of shape [1] and one output ([] when the prediction has no feature dimension).
// The layer feeding the loss is resized when it has an `outFeatures` (a Linear); otherwise the offer says
// what to change by hand.
import type { GraphAnalysis, NodeInfo } from '../../engine/graph/analyze';
import { CLASSIFICATION_SETS, REGRESSION_SETS } from '../../engine/data/playground';
import type { GraphEdit } from '../../protocol/messages';
import { SOURCE_LABELS, readTraining, sourceEdit } from './settings';

export type TaskKind = 'classification' | 'regression';

/** What a dataset source trains: a kind, or 'unknown' (CSV: its labels decide; no source yet). */
export function datasetTask(source: string | undefined): TaskKind | 'unknown' {
  if (source === 'digits' || (CLASSIFICATION_SETS as readonly string[]).includes(source ?? '')) return 'classification';
  if ((REGRESSION_SETS as readonly string[]).includes(source ?? '')) return 'regression';
  return 'unknown';
}

const classesOf = (source: string) => (source === 'digits' ? 10 : 2);

export interface RewireOffer {
  /** The dataset chosen and the kind it trains. */
  source: string;
  task: TaskKind;
  /** How the model is wired now, e.g. `Target "y" int32 [] → CrossEntropyLoss "loss"`. */
  now: string;
  /** What the rewire changes, one line each, e.g. `"loss": CrossEntropyLoss → MSELoss`. */
  changes: string[];
  /** What the person must still change by hand (a prediction width the rewire cannot set), if anything. */
  todo?: string;
  /** The rewiring edits (without the dataset change). */
  edits: GraphEdit[];
}

const shapeText = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

function targetOf(analysis: GraphAnalysis, training: unknown): NodeInfo | undefined {
  const named = readTraining(training).dataset?.target;
  if (typeof named === 'string') {
    const n = analysis.nodes.get(named);
    return n?.spec?.op === 'Target' ? n : undefined;
  }
  const targets = [...analysis.nodes.values()].filter((n) => n.spec?.op === 'Target');
  return targets.length === 1 ? targets[0] : undefined;
}

function fits(task: TaskKind, loss: string, dtype: unknown): boolean {
  if (task === 'regression') return loss === 'MSELoss' && dtype === 'float32';
  return (loss === 'CrossEntropyLoss' && dtype === 'int32') || (loss === 'BCEWithLogitsLoss' && dtype === 'float32');
}

/**
 * The rewire to offer when `source` is chosen, or null: the dataset's kind is unknown or the same as the
 * current dataset's, the model already fits it, or the model is not wired as one Target feeding one loss
 * (then there is nothing safe to rewire, and the dataset change goes through as it is).
 */
export function rewireOffer(analysis: GraphAnalysis, training: unknown, source: string): RewireOffer | null {
  const task = datasetTask(source);
  if (task === 'unknown' || task === datasetTask(readTraining(training).source)) return null;
  const target = targetOf(analysis, training);
  if (!target) return null;
  const losses = [...analysis.nodes.values()].filter((n) => n.spec?.isLoss && n.inputs[1] === target.id);
  if (losses.length !== 1) return null;
  const loss = losses[0]!;
  const dtype = target.attrs.dtype ?? 'float32';
  const shape = Array.isArray(target.attrs.shape) ? (target.attrs.shape as number[]) : [];
  if (fits(task, loss.spec!.op, dtype)) return null;

  const edits: GraphEdit[] = [];
  const changes: string[] = [];
  let todo: string | undefined;
  const lossOp = task === 'regression' ? 'MSELoss' : 'CrossEntropyLoss';
  const width = task === 'regression' ? 1 : classesOf(source);

  // The prediction: resize the layer feeding the loss, or say what to change.
  const pred = loss.inputs[0] !== undefined ? analysis.nodes.get(loss.inputs[0]) : undefined;
  const predShape = pred?.type?.shape;
  let predRank = predShape?.length ?? 2;
  if (pred && pred.spec?.attrs.some((a) => a.name === 'outFeatures')) {
    predRank = Math.max(2, predRank);
    if (pred.attrs.outFeatures !== width) {
      edits.push({ kind: 'setAttr', nodeId: pred.id, attr: 'outFeatures', value: width });
      changes.push(`"${pred.id}": ${String(pred.attrs.outFeatures)} → ${width} output${width === 1 ? '' : 's'}`);
    }
  } else if (pred && predShape) {
    const last = predShape.length >= 2 ? predShape[predShape.length - 1] : undefined;
    const wanted = task === 'regression' ? predShape.length === 1 || last === 1 : predShape.length === 2 && last === width;
    if (!wanted)
      todo = `"${pred.id}" gives ${shapeText(predShape)}: ${lossOp} needs [N, ${width}]. Change the layer that feeds "${loss.id}" to ${width} output${width === 1 ? '' : 's'}.`;
  }

  // The Target: dtype and shape.
  const newDtype = task === 'regression' ? 'float32' : 'int32';
  const newShape = task === 'regression' && predRank >= 2 ? [1] : [];
  if (dtype !== newDtype) edits.push({ kind: 'setAttr', nodeId: target.id, attr: 'dtype', value: newDtype });
  if (shapeText(shape) !== shapeText(newShape)) edits.push({ kind: 'setAttr', nodeId: target.id, attr: 'shape', value: newShape });
  if (dtype !== newDtype || shapeText(shape) !== shapeText(newShape)) {
    changes.push(`Target "${target.id}": ${String(dtype)} ${shapeText(shape)} → ${newDtype} ${shapeText(newShape)}`);
  }

  // The loss.
  if (loss.spec!.op !== lossOp) {
    edits.push({ kind: 'setOp', nodeId: loss.id, op: lossOp });
    changes.push(`"${loss.id}": ${loss.spec!.op} → ${lossOp}`);
  }
  return {
    source,
    task,
    now: `Target "${target.id}" ${String(dtype)} ${shapeText(shape)} → ${loss.spec!.op} "${loss.id}"`,
    changes,
    ...(todo ? { todo } : {}),
    edits,
  };
}

/** The one edit "Rewire" sends: the dataset change, then the rewiring, as one batch (one undo step). */
export function rewireEdit(training: unknown, offer: RewireOffer): GraphEdit | null {
  const dataset = sourceEdit(readTraining(training), offer.source);
  const edits = [...(dataset ? [dataset] : []), ...offer.edits];
  if (edits.length === 0) return null;
  if (edits.length === 1) return edits[0]!;
  const label = `Use ${SOURCE_LABELS[offer.source] ?? offer.source} and rewire for ${offer.task}`;
  return { kind: 'batch', label, edits };
}
