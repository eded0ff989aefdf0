/**
 * The `engine` target: a TypeScript module that builds the model with the engine's public API
 * (docs/engine.md): createModel(), a typed forward(), loss() and train() with the model's optimizer,
 * and one readable line per node, named after the node ids.
 */
import type { OptimizerJson } from '../graph/types';
import { encodeSafetensors, type TensorRecords } from '../io/safetensors';
import { base64Constant, DECODE_BASE64_SOURCE } from './base64';
import { LIB_REFERENCE, allocateNames, header, joinBlocks, literal, num, objectOf, str, table, typeDoc } from './header';
import { targetsUsedBy, type ExportPlan } from './plan';
import { FED } from './lowering';
import { engineFeaturesSource, featureComment, featureNames, FEATURES_FN } from './features';

export interface EngineTargetOptions {
  generator: string;
  /** Module specifier the code imports the engine from. */
  engineImport: string;
  /** Whether the runtime is written beside the module (for the header's wording). */
  runtimeBeside: boolean;
  /** Values to embed (every parameter and buffer), or null to draw them from the seed at run time. */
  embedded: TensorRecords | null;
  /** File name of the weights written beside the module, if any (for the header). */
  weightsFile: string | null;
}

/** Names the generated module uses inside run(); node ids that collide get a trailing `_`. */
const RUN_NAMES = [
  'bp',
  'p',
  '_p',
  'inputs',
  '_inputs',
  'targets',
  'training',
  '_training',
  'step',
  '_step',
  'withLoss',
  'outputs',
  'total',
  'checked',
  'SEED',
  FEATURES_FN,
];

/** The default optimizer when the model names none (the format's rule). */
const DEFAULT_OPTIMIZER: OptimizerJson = { type: 'Adam', lr: 0.001 };

export function engineModule(plan: ExportPlan, opts: EngineTargetOptions): string {
  const { nodes } = plan;
  const names = allocateNames(plan.order, RUN_NAMES);
  const local = (id: string) => names.get(id)!;
  const field = (key: string) => key.replace('.', '_');
  const hasLoss = plan.lossProblem === null;
  const outputsNeedTargets = targetsUsedBy(plan, plan.forOutputs).length > 0;
  const emitted = [...plan.forOutputs, ...plan.forLoss];
  const emittedSet = new Set(emitted);
  const modes = new Set(emitted.map((id) => nodes.get(id)!.spec!.trainMode));
  const usesTraining = modes.has('random') || modes.has('statistics');
  const usesStep = modes.has('random');
  const usesParams = emitted.some((id) => nodes.get(id)!.params.length > 0);
  const usesInputs = emitted.some((id) => plan.inputs.includes(id));
  const optimizer = plan.model.training?.optimizer ?? DEFAULT_OPTIMIZER;
  // Only when the outputs or the loss read that Input: otherwise the function would be unused.
  const featured = plan.inputFeatures && emittedSet.has(plan.inputFeatures.id) ? plan.inputFeatures : null;
  /** An Input's type as the caller feeds it: raw points for the featured one. */
  const fedDoc = (id: string) =>
    id === featured?.id
      ? `float32 [N, 2]: raw points x1, x2; the model computes its input features ${featureNames(featured)} ([N, ${featured.features.length}])`
      : typeDoc(nodes.get(id)!.type!);

  // ---- the graph, one line per node
  const line = (id: string): string => {
    const n = nodes.get(id)!;
    const op = n.spec!.op;
    const type = `// ${typeDoc(n.type!)}`;
    if (id === featured?.id) {
      return `const ${local(id)} = ${FEATURES_FN}(checked(inputs.${id}, ${str(id)}, 'float32', [2])); // ${featureComment(featured)}`;
    }
    if (op === 'Input' || op === 'Target') {
      const from = op === 'Input' ? 'inputs' : 'targets';
      return `const ${local(id)} = checked(${from}.${id}, ${str(id)}, ${str(n.type!.dtype)}, ${literal(n.type!.shape.slice(1))}); ${type}`;
    }
    const lower = n.spec!.lower.engine;
    if (lower === FED) throw new Error(`internal: ${op} node "${id}" is fed, not computed`);
    const param = (name: string) => `p.${field(`${id}.${name}`)}`;
    const has = (name: string) => n.params.some((q) => q.name === name);
    const xs = n.inputs.map((s) => local(s!));
    const types = n.inputs.map((s) => nodes.get(s!)!.type!);
    return `const ${local(id)} = ${lower({ node: n, xs, types, param, has, optional: (name) => (has(name) ? param(name) : 'null') })}; ${type}`;
  };
  const outputsObject = objectOf(plan.outputs.map((id) => [id, local(id)]));
  const body: string[] = [];
  body.push(...plan.forOutputs.map(line));
  if (hasLoss) {
    body.push(`const outputs: Outputs = ${outputsObject};`);
    body.push(outputsNeedTargets ? 'if (!withLoss) return { outputs, loss: null };' : 'if (targets === null) return { outputs, loss: null };');
    body.push(...plan.forLoss.map(line));
    const parts = plan.losses.length ? plan.losses.map(local) : [`bp.sum(${local(plan.analysis.sinks[0])})`];
    if (plan.losses.length === 1) {
      body.push(
        `return ${objectOf([
          ['outputs', 'outputs'],
          ['loss', parts[0]],
        ])};`,
      );
    } else {
      body.push(`const total = ${parts.length === 1 ? parts[0] : `bp.addN([${parts.join(', ')}])`}; // the loss`);
      body.push('return { outputs, loss: total };');
    }
  } else {
    body.push(`return ${outputsObject};`);
  }
  const pName = usesParams ? 'p' : '_p';
  const runParams = [
    `${pName}: Model`,
    `${usesInputs ? 'inputs' : '_inputs'}: Inputs`,
    ...(hasLoss || outputsNeedTargets ? [`targets: Targets${outputsNeedTargets ? '' : ' | null'}`] : []),
    `${usesTraining ? 'training' : '_training'}: boolean`,
    `${usesStep ? 'step' : '_step'}: number`,
    ...(hasLoss && outputsNeedTargets ? ['withLoss: boolean'] : []),
  ];
  const skipped = plan.order.filter((id) => !emittedSet.has(id));
  const runDoc = [
    '/**',
    ' * The graph, one line per node in forward order. Eval mode unless `training`: Dropout is then the',
    ' * identity and BatchNorm uses its running statistics.',
    ...(skipped.length ? [` * Not computed (neither the outputs nor the loss use them): ${skipped.join(', ')}.`] : []),
    ' */',
  ].join('\n');
  const runFn = [runDoc, `function run(${runParams.join(', ')}): ${hasLoss ? 'Pass' : 'Outputs'} {`, ...body.map((l) => `  ${l}`), '}'].join('\n');

  // ---- interfaces
  const iface = (name: string, doc: string, ids: readonly string[]) =>
    [
      `/** ${doc} */`,
      `export interface ${name} {`,
      ...ids.flatMap((id) =>
        emittedSet.has(id) || name === 'Outputs'
          ? [`  /** ${fedDoc(id)} */`, `  ${id}: bp.Tensor;`]
          : [`  /** ${fedDoc(id)}; not used by the outputs or the loss */`, `  ${id}?: bp.Tensor;`],
      ),
      '}',
    ].join('\n');
  const modelIface = [
    '/** The parameters and buffers, one tensor per state-dict key (`fc1.weight` is the field `fc1_weight`). */',
    'export interface Model {',
    ...plan.params.flatMap((pi) => [`  /** ${pi.key} [${pi.shape.join(', ')}]${pi.buffer ? ' (buffer)' : ''} */`, `  ${field(pi.key)}: bp.Tensor;`]),
    '}',
  ].join('\n');
  const runOptions = [
    'export interface RunOptions {',
    '  /** Training mode: Dropout drops and BatchNorm uses (and updates) batch statistics. Default: false (eval). */',
    '  training?: boolean;',
    "  /** The training step, which seeds Dropout's masks. Default: 0. */",
    '  step?: number;',
    '}',
  ].join('\n');

  // ---- functions
  const storedExpr = opts.embedded
    ? '{ ...bp.decodeSafetensors(decodeBase64(WEIGHTS)).tensors, ...(weights ? bp.decodeSafetensors(weights).tensors : {}) }'
    : 'weights ? bp.decodeSafetensors(weights).tensors : {}';
  const createModel = [
    '/**',
    ' * Creates the model. Each parameter and buffer comes from `weights` (safetensors bytes, F32, keyed',
    opts.embedded
      ? ' * `node.weight` as PyTorch) when it holds the key, otherwise from the weights embedded at the end of this file.'
      : " * `node.weight` as PyTorch) when it holds the key, otherwise from the engine's initialisers seeded by SEED.",
    ' */',
    'export function createModel(weights?: Uint8Array): Model {',
    plan.params.length ? `  const stored: bp.TensorRecords = ${storedExpr};` : '  void weights;',
    plan.params.length ? '  return {' : '  return {};',
    ...plan.params.map((pi) => `    ${field(pi.key)}: param(stored, ${str(pi.key)}, ${literal(pi.shape)}, ${literal(pi.init)}${pi.buffer ? ', true' : ''}),`),
    ...(plan.params.length ? ['  };'] : []),
    '}',
  ].join('\n');
  const forwardFeed = outputsNeedTargets ? 'Inputs & Targets' : 'Inputs';
  const forwardCall = hasLoss
    ? outputsNeedTargets
      ? 'run(model, feed, feed, opts.training ?? false, opts.step ?? 0, false).outputs'
      : 'run(model, feed, null, opts.training ?? false, opts.step ?? 0).outputs'
    : outputsNeedTargets
      ? 'run(model, feed, feed, opts.training ?? false, opts.step ?? 0)'
      : 'run(model, feed, opts.training ?? false, opts.step ?? 0)';
  const forward = [
    '/** Runs the model on a batch and returns its outputs (eval mode unless `opts.training`). */',
    `export function forward(model: Model, feed: ${forwardFeed}, opts: RunOptions = {}): Outputs {`,
    `  return ${forwardCall};`,
    '}',
  ].join('\n');
  const trainable = plan.params.filter((pi) => !pi.buffer);
  const parameters = [
    '/** The trainable parameters (buffers excluded), in forward order: what the optimizer updates. */',
    'export function parameters(model: Model): bp.Tensor[] {',
    trainable.length ? `  return [${trainable.map((pi) => `model.${field(pi.key)}`).join(', ')}];` : '  void model;\n  return [];',
    '}',
  ].join('\n');
  const saveWeights = [
    '/** Every parameter and buffer as safetensors bytes, keyed as PyTorch (what createModel() reads). */',
    'export function saveWeights(model: Model): Uint8Array {',
    plan.params.length ? '  return bp.encodeSafetensors({' : '  void model;\n  return bp.encodeSafetensors({});',
    ...plan.params.map((pi) => `    ${str(pi.key)}: record(model.${field(pi.key)}),`),
    ...(plan.params.length ? ['  });'] : []),
    '}',
  ].join('\n');

  const lossFns = hasLoss
    ? [
        [
          `/** The training loss on one batch (${plan.losses.length ? `the sum of the loss nodes: ${plan.losses.join(', ')}` : `the sum of all elements of ${plan.analysis.sinks[0]}`}). */`,
          'export function loss(model: Model, batch: Batch, opts: RunOptions = { training: true }): bp.Tensor {',
          `  return run(model, batch, batch, opts.training ?? false, opts.step ?? 0${outputsNeedTargets ? ', true' : ''}).loss!;`,
          '}',
        ].join('\n'),
        [
          '/**',
          ` * Trains the model in place with its optimizer (${describeOptimizer(optimizer)}) for \`steps\` steps in training mode:`,
          ' * one batch per step (the same batch every step, a list taken in turn, or `data(step)`).',
          ' * Returns the loss before each step.',
          ' */',
          'export function train(model: Model, data: Batch | readonly Batch[] | ((step: number) => Batch), steps: number): number[] {',
          '  const optimizer = bp.createOptimizer(OPTIMIZER, parameters(model));',
          '  const losses: number[] = [];',
          '  for (let step = 0; step < steps; step++) {',
          '    const batch = pick(data, step);',
          '    optimizer.zeroGrad();',
          '    const value = loss(model, batch, { training: true, step });',
          '    losses.push(value.itemSync());',
          '    if (!value.requiresGrad) continue;',
          '    value.backward();',
          '    bp.noGrad(() => optimizer.step());',
          '  }',
          '  return losses;',
          '}',
        ].join('\n'),
        [
          'function pick(data: Batch | readonly Batch[] | ((step: number) => Batch), step: number): Batch {',
          "  if (typeof data === 'function') return data(step);",
          '  if (!isBatchList(data)) return data;',
          "  if (data.length === 0) throw new RangeError('train: the list of batches is empty');",
          '  return data[step % data.length]!;',
          '}',
          '',
          'function isBatchList(data: Batch | readonly Batch[]): data is readonly Batch[] {',
          '  return Array.isArray(data);',
          '}',
        ].join('\n'),
      ]
    : [];

  const helpers = [
    plan.params.length
      ? [
          '/** One parameter or buffer: the stored value when there is one (checked), else its initialiser. */',
          'function param(stored: bp.TensorRecords, key: string, shape: number[], init: Parameters<typeof bp.initValues>[0], buffer = false): bp.Tensor {',
          '  const s = stored[key];',
          '  let values: Float32Array;',
          '  if (s === undefined) {',
          '    values = bp.initValues(init, shape, SEED, key);',
          "  } else if (s.dtype !== 'F32' || s.shape.length !== shape.length || s.shape.some((d, i) => d !== shape[i])) {",
          "    throw new Error(`weights: \"${key}\" is ${s.dtype} [${s.shape.join(', ')}] but the model needs F32 [${shape.join(', ')}]`);",
          '  } else {',
          '    values = s.data as Float32Array;',
          '  }',
          "  const t = bp.Tensor.fromData(values, shape, 'float32', !buffer);",
          '  t.name = key;',
          '  return t;',
          '}',
          '',
          'function record(t: bp.Tensor): bp.TensorRecord {',
          "  return { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };",
          '}',
        ].join('\n')
      : null,
    emitted.some((id) => plan.inputs.includes(id) || plan.targets.includes(id))
      ? [
          '/** A fed tensor, checked against its node: dtype, and every dimension after the batch. */',
          'function checked(t: bp.Tensor, id: string, dtype: bp.DType, sample: readonly number[]): bp.Tensor {',
          '  if (t.dtype !== dtype || t.shape.length !== sample.length + 1 || sample.some((d, i) => t.shape[i + 1] !== d)) {',
          "    const want = ['N', ...sample].join(', ');",
          '    throw new TypeError(`feed "${id}" must be ${dtype} [${want}], found ${t.dtype} [${t.shape.join(\', \')}]`);',
          '  }',
          '  return t;',
          '}',
        ].join('\n')
      : null,
    featured ? engineFeaturesSource(featured) : null,
    opts.embedded ? DECODE_BASE64_SOURCE : null,
  ];

  // ---- header
  const rows = (ids: readonly string[]) =>
    table(
      ids.map((id) => [id, fedDoc(id)]),
      '  ',
    );
  const runtime = opts.runtimeBeside
    ? `It imports the engine from ${opts.engineImport} (written beside it with its type declarations).`
    : `It imports the engine from ${JSON.stringify(opts.engineImport)}.`;
  const weightsLine = opts.embedded
    ? 'Weights: embedded in this file (base64 safetensors); createModel(bytes) loads others.'
    : opts.weightsFile
      ? `Weights: createModel(bytes) with the bytes of ${opts.weightsFile}; createModel() draws them from the seed.`
      : `Weights: drawn from the seed (training.seed = ${plan.seed}) as the engine does; createModel(bytes) loads trained ones.`;
  const head = header({
    generator: opts.generator,
    modelName: plan.model.name,
    formatVersion: plan.model.version,
    body: [
      'Target: engine. The model built with the Backprop Studio engine: createModel(), forward(),',
      hasLoss
        ? `loss() and train() (${describeOptimizer(optimizer)}), parameters() and saveWeights().`
        : `parameters() and saveWeights(); no train(): ${plan.lossProblem}.`,
      runtime,
      weightsLine,
      '',
      'Inputs (tensors, batch dimension N first):',
      ...rows(plan.inputs),
      ...(plan.targets.length ? ['Targets (for the loss):', ...rows(plan.targets)] : []),
      'Outputs:',
      ...rows(plan.outputs),
    ],
  });

  const settings = [
    '/** Seeds the initial weights and the Dropout masks (training.seed). */',
    `export const SEED = ${num(plan.seed)};`,
    ...(hasLoss ? ['', '/** The optimizer train() uses (training.optimizer). */', `export const OPTIMIZER: bp.OptimizerJson = ${literal(optimizer)};`] : []),
  ].join('\n');

  return joinBlocks([
    head,
    `${LIB_REFERENCE}\nimport * as bp from ${str(opts.engineImport)};`,
    settings,
    modelIface,
    iface('Inputs', 'The inputs of a batch.', plan.inputs),
    plan.targets.length || hasLoss
      ? iface('Targets', outputsNeedTargets ? 'The targets of a batch.' : 'The targets of a batch, for the loss (forward() does not need them).', plan.targets)
      : null,
    hasLoss ? '/** A training batch: inputs and targets. */\nexport type Batch = Inputs & Targets;' : null,
    iface('Outputs', "The model's outputs.", plan.outputs),
    runOptions,
    hasLoss ? 'interface Pass {\n  outputs: Outputs;\n  loss: bp.Tensor | null;\n}' : null,
    createModel,
    forward,
    ...lossFns,
    parameters,
    saveWeights,
    runFn,
    ...helpers,
    opts.embedded
      ? base64Constant('WEIGHTS', encodeSafetensors(opts.embedded), 'Every parameter and buffer (what createModel() starts from): safetensors bytes, base64.')
      : null,
  ]);
}

export function describeOptimizer(o: OptimizerJson): string {
  const parts = [o.type, `lr ${o.lr ?? 0.001}`];
  for (const [k, v] of Object.entries(o)) if (k !== 'type' && k !== 'lr' && v !== undefined) parts.push(`${k} ${JSON.stringify(v)}`);
  return parts.join(', ');
}
