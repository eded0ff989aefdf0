/**
 * model.py of the `pytorch` target: `class Model(nn.Module)`, one readable line per layer in __init__ and one per
 * node in forward, named by node ids. Its state_dict() keys are the model's parameter keys (`fc1.weight`,
 * `bn.running_mean`), it loads the weights the export writes beside it, and `Model()(**tensors)` takes the Input
 * and Target ids as keyword tensors and returns each output by id and, when the Targets are given, "loss".
 */
import type { NodeInfo } from '../../graph/analyze';
import { table, typeDoc } from '../header';
import { targetsUsedBy, type ExportPlan } from '../plan';
import type { PyTorchLowering } from './lowering';
import { plainAttribute, pyComment, pyStr, pythonLocals, whyNotPlain } from './python';

/** The weights file written beside model.py: every parameter and buffer the engine would start from. */
export const WEIGHTS_FILE = 'initial.safetensors';
/** The reader and writer of safetensors files written beside model.py. */
export const SAFETENSORS_IO_FILE = 'safetensors_io.py';
/** The key of the training loss in forward's dict. */
export const LOSS_KEY = 'loss';
/** The key of an output node whose id is `loss` (ids cannot hold `:`, so it is free). */
export const LOSS_OUTPUT_KEY = 'output:loss';

/** Names model.py defines at module level or in the class (a layer id equal to one is registered by name). */
const MODULE_NAMES = [
  'os',
  'torch',
  'nn',
  'F',
  'load_file',
  'WEIGHTS',
  'INPUTS',
  'TARGETS',
  'OUTPUT_KEYS',
  'LOSS_KEY',
  'BatchNorm1d',
  'Model',
  '_fed',
  '_feed',
  '_wants_loss',
];
/** Names forward() uses besides the node locals. */
const FORWARD_NAMES = ['self', 'feed', 'tensors', 'out', ...MODULE_NAMES];

export interface ModelPyOptions {
  generator: string;
}

/** The key under which forward's dict holds an output. */
export const outputKey = (id: string): string => (id === LOSS_KEY ? LOSS_OUTPUT_KEY : id);

export function modelPy(plan: ExportPlan, opts: ModelPyOptions): string {
  const { nodes } = plan;
  const emitted = [...plan.forOutputs, ...plan.forLoss];
  const locals = pythonLocals(emitted, FORWARD_NAMES);
  const local = (id: string) => locals.get(id)!;
  const classNames = new Set(MODULE_NAMES);
  const hasLoss = plan.lossProblem === null;
  const lowering = (n: NodeInfo): PyTorchLowering => n.spec!.lower.pytorch;
  const inputTypes = (n: NodeInfo) => n.inputs.map((s) => nodes.get(s!)!.type!);
  const emittedSet = new Set(emitted);
  // Layers the forward pass never calls still hold parameters of the model: they are built too, so that
  // state_dict() holds every key of the weights file.
  const layers = plan.order.filter((id) => {
    const n = nodes.get(id)!;
    return emittedSet.has(id) ? lowering(n).module !== undefined : n.params.length > 0;
  });
  const plain = (id: string) => plainAttribute(id, classNames);
  const layerExpr = (id: string) => (plain(id) ? `self.${id}` : `self._modules[${pyStr(id)}]`);

  // ---- __init__: one line per layer
  const init = layers.map((id) => {
    const n = nodes.get(id)!;
    const ctor = lowering(n).module!(n, inputTypes(n));
    return plain(id) ? `self.${id} = ${ctor}` : `self._modules[${pyStr(id)}] = ${ctor}  # registered by name: ${whyNotPlain(id, classNames)}`;
  });

  // ---- forward: one line per node
  const line = (id: string): string => {
    const n = nodes.get(id)!;
    const xs = n.inputs.map((s) => local(s!));
    const expr = lowering(n).forward(n, { xs, inputTypes: inputTypes(n), layer: layerExpr(id), feed: 'feed' });
    return `${local(id)} = ${expr}  # ${n.spec!.op}: ${typeDoc(n.type!)}`;
  };
  const outEntries = plan.outputs.map((id) => `${pyStr(outputKey(id))}: ${local(id)}`);
  const body: string[] = ['feed = _feed(feed, tensors, INPUTS + TARGETS)', ...plan.forOutputs.map(line), `out = {${outEntries.join(', ')}}`];
  if (hasLoss) {
    const outputTargets = new Set(targetsUsedBy(plan, plan.forOutputs));
    const lossTargets = targetsUsedBy(plan, plan.forLoss).filter((t) => !outputTargets.has(t));
    if (lossTargets.length)
      body.push(`if not _wants_loss(feed, (${lossTargets.map(pyStr).join(', ')}${lossTargets.length === 1 ? ',' : ''})):`, '    return out');
    body.push(...plan.forLoss.map(line));
    const parts = plan.losses.length ? plan.losses.map(local) : [`${local(plan.analysis.sinks[0])}.sum()`];
    const what =
      plan.losses.length > 1
        ? `the sum of the loss nodes ${plan.losses.join(', ')}`
        : plan.losses.length
          ? `the loss node ${plan.losses[0]}`
          : `the sum of the values of ${plan.analysis.sinks[0]}, the single output`;
    body.push(`out[LOSS_KEY] = ${parts.join(' + ')}  # the training loss: ${what}`);
  }
  body.push('return out');

  const rows = (ids: readonly string[]) =>
    ids.length
      ? table(
          ids.map((id) => [id, typeDoc(nodes.get(id)!.type!)]),
          '#   ',
        )
      : ['#   (none)'];
  const name = plan.model.name === undefined || plan.model.name === '' ? '(unnamed)' : JSON.stringify(plan.model.name);
  const skipped = plan.order.filter((id) => !emittedSet.has(id) && !plan.inputs.includes(id) && !plan.targets.includes(id));
  const head = [
    `# Generated by ${pyComment(opts.generator)}. Do not edit: export the model again instead.`,
    `# Model: ${pyComment(name)} (nn-graph format version ${plan.model.version})`,
    '# Target: pytorch. Model() builds the network and loads the weights the engine starts from',
    `# (${WEIGHTS_FILE} beside this file); Model()(**tensors) returns a dict of the outputs by node id`,
    hasLoss
      ? `# and, when the Targets are given, "loss" (${plan.losses.length ? `the sum of the loss nodes` : `the sum of ${plan.analysis.sinks[0]}'s values`}).`
      : `# (no "loss": ${pyComment(plan.lossProblem!)}).`,
    '#',
    '# Inputs (tensors, batch dimension N first; int32 indices may be int32 or int64):',
    ...rows(plan.inputs),
    ...(plan.targets.length ? ['# Targets (for the loss):', ...rows(plan.targets)] : []),
    '# Outputs (keys of the returned dict):',
    ...(plan.outputs.length
      ? table(
          plan.outputs.map((id) => [
            pyStr(outputKey(id)),
            `${typeDoc(nodes.get(id)!.type!)}${id === LOSS_KEY ? ` (the output node "loss"; "loss" is the training loss)` : ''}`,
          ]),
          '#   ',
        )
      : ['#   (none)']),
    ...(plan.inputFeatures
      ? [`# Input ${plan.inputFeatures.id} takes the features ${plan.inputFeatures.features.join(', ')} (train.py computes them from the points).`]
      : []),
    ...(skipped.length ? [`# Not computed (neither the outputs nor the loss use them): ${skipped.join(', ')}.`] : []),
  ].join('\n');

  const imports = [
    'import os',
    '',
    'import torch',
    'from torch import nn',
    'from torch.nn import functional as F',
    '',
    'try:  # imported as part of a package',
    '    from .safetensors_io import load_file',
    'except ImportError:  # run from this folder',
    '    from safetensors_io import load_file',
  ].join('\n');

  const tuple = (ids: readonly string[]) => (ids.length === 1 ? `(${pyStr(ids[0])},)` : `(${ids.map(pyStr).join(', ')})`);
  const constants = [
    `WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${pyStr(WEIGHTS_FILE)})`,
    `INPUTS = ${tuple(plan.inputs)}`,
    `TARGETS = ${tuple(plan.targets)}`,
    '# Output node id -> its key in the dict forward() returns (an output node named "loss" is "output:loss").',
    `OUTPUT_KEYS = {${plan.outputs.map((id) => `${pyStr(id)}: ${pyStr(outputKey(id))}`).join(', ')}}`,
    `LOSS_KEY = ${pyStr(LOSS_KEY)}`,
  ].join('\n');

  const usesBatchNorm = layers.some((id) => nodes.get(id)!.spec!.op === 'BatchNorm1d');
  const batchNorm = usesBatchNorm ? BATCH_NORM_CLASS : null;

  const initBody = [
    'super().__init__()',
    ...init,
    'if weights is not None:',
    '    self.load_state_dict(weights if isinstance(weights, dict) else load_file(weights))',
  ];
  const modelClass = [
    'class Model(nn.Module):',
    '    """The network of the model file, one layer per node (the header lists its inputs and outputs).',
    '',
    '    Model() starts from the weights the engine starts from (WEIGHTS); Model(path) from a safetensors file',
    "    with the same keys, Model(state_dict) from a dict of tensors, Model(None) from PyTorch's own initialisation.",
    '    Like any nn.Module it starts in training mode: call .eval() for inference (Dropout off, BatchNorm on its',
    "    running statistics), as the engine's predict does.",
    '    """',
    '',
    '    def __init__(self, weights=WEIGHTS):',
    ...initBody.map((l) => `        ${l}`),
    '',
    ...(layers.includes('training') ? [...TRAIN_OVERRIDE.split('\n').map((l) => (l ? `    ${l}` : '')), ''] : []),
    '    def forward(self, feed=None, /, **tensors):',
    '        """',
    '        The tensors by Input and Target id, as keywords (model(x=x, y=y)) or one dict (model({"in": x})), batch',
    '        first. Returns {output id: tensor} (OUTPUT_KEYS) and, when the Targets the loss needs are given, LOSS_KEY.',
    '        """',
    ...body.map((l) => `        ${l}`),
  ].join('\n');

  return [head, imports, constants, batchNorm, modelClass, HELPERS].filter((b): b is string => !!b).join('\n\n\n') + '\n';
}

/**
 * A layer named `training` is a child module of that name, and nn.Module.train() sets the mode flag with
 * `self.training = mode`, which Module.__setattr__ then refuses (it takes the name for the layer).
 */
const TRAIN_OVERRIDE = `def train(self, mode=True):
    """nn.Module.train, setting the mode flag past Module.__setattr__ (a layer is named "training")."""
    if not isinstance(mode, bool):
        raise ValueError('training mode is expected to be boolean')
    object.__setattr__(self, 'training', mode)
    for module in self.children():
        module.train(mode)
    return self`;

/** PyTorch's batch norm without num_batches_tracked: momentum is always given, so the count is never read. */
const BATCH_NORM_CLASS = `class BatchNorm1d(nn.Module):
    """
    nn.BatchNorm1d's computation (F.batch_norm: batch statistics in training, the biased variance to normalise and the
    unbiased one for the running estimate; running statistics in eval) with state_dict keys weight, bias,
    running_mean and running_var only: no num_batches_tracked, which the model's weights do not hold.
    """

    def __init__(self, num_features, eps, momentum, affine):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        self.register_buffer('running_mean', torch.zeros(num_features))
        self.register_buffer('running_var', torch.ones(num_features))

    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.training, self.momentum, self.eps)

    def extra_repr(self):
        return f'{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.weight is not None}'`;

const HELPERS = `def _feed(feed, tensors, names):
    """One dict of the fed tensors; a name that is no Input or Target is refused."""
    merged = {**(feed or {}), **tensors}
    unknown = sorted(k for k in merged if k not in names)
    if unknown:
        raise TypeError(f'Model: no Input or Target is named {", ".join(unknown)} (the model takes: {", ".join(names)})')
    return merged


def _fed(feed, op, name, dtype, sample):
    """A fed tensor, checked against its node; int32 indices become int64, which PyTorch indexes with."""
    want = dtype + ' [' + ', '.join(['N'] + [str(d) for d in sample]) + ']'
    if name not in feed:
        raise TypeError(f'Model: {op} "{name}" ({want}) is not given')
    t = feed[name]
    if not isinstance(t, torch.Tensor):
        raise TypeError(f'Model: {op} "{name}" must be a tensor {want}, found {type(t).__name__}')
    if t.dim() != len(sample) + 1 or tuple(t.shape[1:]) != tuple(sample):
        raise ValueError(f'Model: {op} "{name}" must be {want}, found shape {list(t.shape)}')
    if dtype == 'int32':
        if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
            raise TypeError(f'Model: {op} "{name}" must hold integer indices ({want}, int32 or int64), found {t.dtype}')
        return t.long()
    if not t.is_floating_point():
        raise TypeError(f'Model: {op} "{name}" must be {want}, found {t.dtype}')
    return t.float()


def _wants_loss(feed, targets):
    """Whether to compute the loss: every Target it needs is given (none given: the outputs alone)."""
    missing = [t for t in targets if t not in feed]
    if missing and len(missing) < len(targets):
        raise TypeError(f'Model: the loss needs the Targets {", ".join(targets)}; not given: {", ".join(missing)}')
    return not missing`;
