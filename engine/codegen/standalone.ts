/**
 * The `standalone` target: a dependency-free TypeScript module for inference. The forward pass is
 * written out over Float32Arrays in eval mode (Dropout is the identity, BatchNorm uses its running
 * statistics), with the batch size as the only run-time dimension; the module carries only the kernels
 * it calls, a tiny safetensors reader, and the weights (embedded as base64, or loaded from bytes).
 */
import { upstream } from '../graph/algorithms';
import type { Dim, TensorType } from '../graph/types';
import { encodeSafetensors, type TensorRecords } from '../io/safetensors';
import { base64Constant, DECODE_BASE64_SOURCE } from './base64';
import { LIB_REFERENCE, allocateNames, header, joinBlocks, literal, objectOf, propKey, str, table, typeDoc } from './header';
import { KERNEL_NAMES, kernelSources } from './kernels';
import { targetsUsedBy, type ExportPlan } from './plan';
import { FED, sizeExpr, TRAINING_ONLY } from './lowering';
import { featureComment, featureNames, FEATURES_FN, standaloneFeaturesSource } from './features';

export interface StandaloneOptions {
  generator: string;
  /** The weights to embed (the parameters and buffers predict reads), or null to load them with loadWeights. */
  embedded: TensorRecords | null;
  /** File name of the weights written beside the module when not embedded (for the docs). */
  weightsFile: string | null;
}

/** Module-level names predict() refers to; node ids that collide get a trailing `_`. */
const MODULE_NAMES = [
  'inputs',
  'batch',
  'w',
  'weights',
  'predict',
  'loadWeights',
  'parseWeights',
  'readSafetensors',
  'utf8',
  'decodeBase64',
  'SHAPES',
  'WEIGHTS',
  'INPUTS',
  'OUTPUTS',
  'Weights',
  'Geometry',
  'sameShape',
  FEATURES_FN,
];

/** Why the standalone target cannot predict an output that depends on a Target, or null. */
export function standaloneProblem(plan: ExportPlan): string | null {
  const used = targetsUsedBy(plan, plan.forOutputs);
  if (!used.length) return null;
  const t = used[0];
  const out = plan.outputs.find((o) => upstream(plan.model.edges, [o]).has(t))!;
  return `output "${out}" depends on Target "${t}", which inference is not given; the standalone target predicts only outputs computed from Inputs`;
}

/** Keys of the parameters and buffers predict() reads. */
export function standaloneKeys(plan: ExportPlan): Set<string> {
  return new Set(plan.forOutputs.flatMap((id) => plan.nodes.get(id)!.params.map((p) => p.key)));
}

export function standaloneModule(plan: ExportPlan, opts: StandaloneOptions): string {
  const problem = standaloneProblem(plan);
  if (problem) throw new Error(problem);
  const { nodes } = plan;
  const names = allocateNames(plan.order, [...KERNEL_NAMES, ...MODULE_NAMES]);
  const local = (id: string) => names.get(id)!;
  const used = new Set<string>();
  const keys = [...standaloneKeys(plan)];
  const typeOf = (id: string): TensorType => nodes.get(id)!.type!;
  // Only when the outputs read that Input: otherwise the function would be unused.
  const featured = plan.inputFeatures && plan.forOutputs.includes(plan.inputFeatures.id) ? plan.inputFeatures : null;
  /** An Input's type as the caller feeds it: raw points [N, 2] for the featured one. */
  const fedType = (id: string): TensorType => (id === featured?.id ? { dtype: 'float32', shape: ['N', 2] } : typeOf(id));

  const line = (id: string): string => {
    const n = nodes.get(id)!;
    const t = typeOf(id);
    if (id === featured?.id) {
      used.add('floatInput');
      return `const ${local(id)} = ${FEATURES_FN}(floatInput(inputs, ${str(id)}, batch * 2, '[N, 2]'), batch); // ${featureComment(featured)}`;
    }
    const lower = n.spec!.lower.standalone;
    if (lower === FED) {
      const kernel = t.dtype === 'int32' ? 'intInput' : 'floatInput';
      used.add(kernel);
      return `const ${local(id)} = ${kernel}(inputs, ${str(id)}, ${sizeExpr(t.shape)}, ${str(shapeDocText(t.shape))}); // ${typeDoc(t)}`;
    }
    if (lower === TRAINING_ONLY) throw new Error(`internal: ${n.spec!.op} node "${id}" is computed in training only`);
    const weight = (name: string) => (n.params.some((p) => p.name === name) ? `w[${str(`${id}.${name}`)}]` : 'null');
    const { expr, kernel } = lower({ node: n, xs: n.inputs.map((s) => ({ name: local(s!), type: typeOf(s!) })), out: t, weight });
    if (kernel) used.add(kernel);
    return `const ${local(id)} = ${expr}; // ${n.spec!.op}: ${typeDoc(t)}`;
  };
  const body = plan.forOutputs.map(line);
  const ret = objectOf(plan.outputs.map((id) => [id, typeOf(id).dtype === 'int32' ? `Float32Array.from(${local(id)})` : local(id)]));
  const usesWeights = keys.length > 0;
  const predict = [
    '/**',
    ' * Runs the model on a batch (eval mode). `inputs` maps each Input id to its values, row-major with',
    ' * the batch first; the result maps each output id to its values (see the shapes above).',
    ' */',
    'export function predict(inputs: Record<string, Float32Array | Int32Array>, batch: number): Record<string, Float32Array> {',
    '  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`predict: batch must be a positive integer, found ${batch}`);',
    ...(usesWeights && !opts.embedded
      ? [
          '  const w = weights;',
          `  if (w === null) throw new Error(${str(`predict: no weights loaded; call loadWeights(bytes) with the contents of ${opts.weightsFile ?? 'the weights file'} first`)});`,
        ]
      : usesWeights
        ? ['  const w = weights ?? (weights = parseWeights(decodeBase64(WEIGHTS)));']
        : []),
    ...body.map((l) => `  ${l}`),
    `  return ${ret};`,
    '}',
  ].join('\n');

  const shapeOf = new Map(plan.params.map((p) => [p.key, p.shape]));
  const weightsIface = [
    '/** The parameters and buffers predict() reads: float32, row-major, keyed as in PyTorch. */',
    'interface Weights {',
    ...keys.map((k) => `  ${str(k)}: Float32Array; // [${shapeOf.get(k)!.join(', ')}]`),
    '}',
  ].join('\n');
  const shapes = [
    '/** The shape of each weight, checked when weights are loaded. */',
    keys.length ? 'const SHAPES: [keyof Weights, number[]][] = [' : 'const SHAPES: [keyof Weights, number[]][] = [];',
    ...keys.map((k) => `  [${str(k)}, ${literal(shapeOf.get(k)!)}],`),
    ...(keys.length ? ['];'] : []),
  ].join('\n');
  const state = !usesWeights
    ? null
    : opts.embedded
      ? "/** The weights in use: those embedded at the end of this file (decoded on first use), or loadWeights()'s. */\nlet weights: Weights | null = null;"
      : '/** The weights in use: none until loadWeights() is called. */\nlet weights: Weights | null = null;';
  const loadWeights = [
    '/**',
    ' * Replaces the weights with those in a safetensors file (F32 tensors keyed as in PyTorch,',
    ` * e.g. ${opts.weightsFile ?? "the model's weights file"}); throws, changing nothing, when a tensor is missing or misshapen.`,
    ' */',
    'export function loadWeights(bytes: Uint8Array): void {',
    usesWeights ? '  weights = parseWeights(bytes);' : '  parseWeights(bytes); // checked only: the outputs read no weights',
    '}',
  ].join('\n');
  const meta = (name: string, doc: string, ids: readonly string[]) =>
    [
      `/** ${doc} */`,
      `export const ${name} = {`,
      ...ids.map((id) => `  ${propKey(id)}: { dtype: ${str(fedType(id).dtype)}, shape: ${literal(fedType(id).shape)} },`),
      '} as const;',
    ].join('\n');

  const io = (ids: readonly string[], outputs: boolean) =>
    table(
      ids.map((id) => {
        const t = outputs ? typeOf(id) : fedType(id);
        const arr = outputs ? 'Float32Array' : t.dtype === 'int32' ? 'Int32Array' : 'Float32Array';
        const note =
          outputs && t.dtype === 'int32'
            ? ' (int32 values as float32)'
            : id === featured?.id && !outputs
              ? ` (raw points x1, x2; predict computes the input features ${featureNames(featured)})`
              : '';
        return [id, `${arr} ${shapeDocText(t.shape)}, ${sizeExpr(t.shape).replace(/batch/g, 'N')} values${note}`];
      }),
      '  ',
    );
  const unused = plan.inputs.filter((i) => !plan.forOutputs.includes(i));
  const head = header({
    generator: opts.generator,
    modelName: plan.model.name,
    formatVersion: plan.model.version,
    body: [
      'Target: standalone. Dependency-free inference over Float32Arrays, in eval mode (Dropout is the',
      'identity, BatchNorm uses its running statistics): predict(inputs, batch) and loadWeights(bytes).',
      opts.embedded
        ? 'Weights: embedded at the end of this file (base64 safetensors, decoded on first use).'
        : `Weights: not embedded; call loadWeights(bytes) with the contents of ${opts.weightsFile ?? 'the weights file'} first.`,
      '',
      'Inputs (row-major, batch dimension N first):',
      ...io(plan.inputs, false),
      ...(unused.length ? [`  (${unused.join(', ')}: not used by the outputs; may be left out)`] : []),
      'Outputs:',
      ...io(plan.outputs, true),
    ],
  });

  const reader = [
    '/** The weights in safetensors bytes, checked against SHAPES. */',
    'function parseWeights(bytes: Uint8Array): Weights {',
    '  const tensors = readSafetensors(bytes);',
    '  const out: Record<string, Float32Array> = {};',
    '  for (const [key, shape] of SHAPES) {',
    '    const t = tensors.get(key);',
    '    if (t === undefined) throw new Error(`weights: "${key}" is missing`);',
    "    if (t.dtype !== 'F32' || !sameShape(t.shape, shape)) {",
    "      throw new Error(`weights: \"${key}\" is ${t.dtype} [${t.shape.join(', ')}] but the model needs F32 [${shape.join(', ')}]`);",
    '    }',
    '    out[key] = t.data;',
    '  }',
    '  return out as unknown as Weights;',
    '}',
    '',
    'function sameShape(a: readonly number[], b: readonly number[]): boolean {',
    '  return a.length === b.length && a.every((d, i) => d === b[i]);',
    '}',
    '',
    '/** A minimal safetensors reader: the header, and the F32 tensors (little-endian) it describes. */',
    'function readSafetensors(bytes: Uint8Array): Map<string, { dtype: string; shape: number[]; data: Float32Array }> {',
    '  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);',
    "  if (bytes.length < 8) throw new Error('weights: not a safetensors file (shorter than 8 bytes)');",
    '  const headerSize = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;',
    "  if (8 + headerSize > bytes.length) throw new Error('weights: the safetensors header runs past the end of the data');",
    '  let header: unknown;',
    '  try {',
    '    header = JSON.parse(utf8(bytes.subarray(8, 8 + headerSize)));',
    '  } catch {',
    "    throw new Error('weights: the safetensors header is not valid JSON');",
    '  }',
    "  if (typeof header !== 'object' || header === null) throw new Error('weights: the safetensors header is not an object');",
    '  const start = 8 + headerSize;',
    '  const out = new Map<string, { dtype: string; shape: number[]; data: Float32Array }>();',
    '  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {',
    "    if (key === '__metadata__') continue;",
    '    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };',
    '    const shape = info.shape;',
    '    const offsets = info.data_offsets;',
    '    const okShape = Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);',
    '    const okOffsets = Array.isArray(offsets) && offsets.length === 2 && offsets.every((d) => Number.isSafeInteger(d) && d >= 0);',
    '    if (!okShape || !okOffsets || typeof info.dtype !== \'string\') throw new Error(`weights: tensor "${key}" has a malformed entry`);',
    '    const [begin, end] = offsets as number[];',
    '    const dims = shape as number[];',
    '    const count = dims.reduce((a, b) => a * b, 1);',
    "    if (end < begin || start + end > bytes.length || (info.dtype === 'F32' && end - begin !== 4 * count)) {",
    '      throw new Error(`weights: tensor "${key}" has data offsets that do not fit its shape or the data`);',
    '    }',
    "    const data = new Float32Array(info.dtype === 'F32' ? count : 0);",
    '    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(start + begin + 4 * i, true);',
    '    out.set(key, { dtype: info.dtype, shape: dims, data });',
    '  }',
    '  return out;',
    '}',
    '',
    '/** UTF-8 bytes to a string (without TextDecoder, which not every TypeScript setup declares). */',
    'function utf8(bytes: Uint8Array): string {',
    "  let s = '';",
    '  for (let i = 0; i < bytes.length; ) {',
    '    const b = bytes[i++];',
    '    let cp = b;',
    '    let extra = 0;',
    '    if (b >= 0xf0) {',
    '      cp = b & 0x07;',
    '      extra = 3;',
    '    } else if (b >= 0xe0) {',
    '      cp = b & 0x0f;',
    '      extra = 2;',
    '    } else if (b >= 0xc0) {',
    '      cp = b & 0x1f;',
    '      extra = 1;',
    '    }',
    '    for (; extra > 0 && i < bytes.length; extra--) cp = (cp << 6) | (bytes[i++] & 0x3f);',
    '    s += String.fromCodePoint(cp > 0x10ffff ? 0xfffd : cp);',
    '  }',
    '  return s;',
    '}',
  ].join('\n');

  return joinBlocks([
    head,
    LIB_REFERENCE,
    meta('INPUTS', 'The Input nodes: dtype, and shape with N for the batch.', plan.inputs),
    meta('OUTPUTS', "The model's outputs: dtype in the model, and shape with N for the batch.", plan.outputs),
    weightsIface,
    shapes,
    state,
    loadWeights,
    predict,
    featured ? `// ---- Input features.\n\n${standaloneFeaturesSource(featured)}` : null,
    '// ---- Kernels: only those this model uses.',
    ...kernelSources(used),
    '// ---- Weights.',
    reader,
    opts.embedded ? DECODE_BASE64_SOURCE : null,
    opts.embedded ? base64Constant('WEIGHTS', encodeSafetensors(opts.embedded), 'The weights predict() starts from: safetensors bytes, base64.') : null,
  ]);
}

function shapeDocText(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}
