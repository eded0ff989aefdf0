/**
 * The PyTorch export's `train.py` (docs/export.md, "PyTorch: training with torchrun"): the model's own training
 * (optimizer and hyper-parameters, epochs, batch size, seed, loss, input features, training.l1) over its own dataset,
 * on one process or under torchrun with DistributedDataParallel, writing the trained weights as a safetensors file
 * with the model's keys, which the editor opens as the model's weights.
 *
 * Deterministic: the same model gives the same text (no dates, no paths).
 */
import type { OptimizerJson } from '../../graph/types';
import { featureDef } from '../../data/features';
import { readL1 } from '../../train/regularization';
import { readTrainingSettings } from '../../data/spec';
import type { ExportPlan } from '../plan';
import { CSV_FILE, DATA_FILE, type TrainingData } from './data';
import { pyComment, pyList, pyLiteral, pyNumber as pyNum, pyStr } from './pyValues';
import { outputKey } from './model';

export const TRAIN_FILE = 'train.py';

export interface TrainScriptOptions {
  generator: string;
  /** The key of Model()'s loss in the dict it returns (model.py's choice: 'loss' unless an output is named so). */
  lossKey: string;
  /** model.py's Model computes the input features from raw points itself. */
  modelTakesRawPoints: boolean;
  /** The file train.py writes the trained weights to (beside it): the name the model's sidecar has. */
  weightsFile: string;
}

/** torch.optim's constructor for training.optimizer, every hyper-parameter written out with the engine's defaults. */
export function optimizerSource(o: OptimizerJson | undefined): { call: string; summary: string } {
  const spec = o ?? { type: 'Adam' as const, lr: 1e-3 };
  if (spec.type === 'SGD') {
    const args = [
      `lr=${pyNum(spec.lr!, true)}`,
      `momentum=${pyNum(spec.momentum ?? 0, true)}`,
      `dampening=${pyNum(spec.dampening ?? 0, true)}`,
      `weight_decay=${pyNum(spec.weightDecay ?? 0, true)}`,
      `nesterov=${spec.nesterov ? 'True' : 'False'}`,
    ];
    return { call: `torch.optim.SGD(parameters, ${args.join(', ')})`, summary: `SGD(${args.join(', ')})` };
  }
  const [b1, b2] = spec.betas ?? [0.9, 0.999];
  const wd = spec.weightDecay ?? (spec.type === 'AdamW' ? 0.01 : 0);
  const args = [
    `lr=${pyNum(spec.lr ?? 1e-3, true)}`,
    `betas=(${pyNum(b1, true)}, ${pyNum(b2, true)})`,
    `eps=${pyNum(spec.eps ?? 1e-8, true)}`,
    `weight_decay=${pyNum(wd, true)}`,
  ];
  return { call: `torch.optim.${spec.type}(parameters, ${args.join(', ')})`, summary: `${spec.type}(${args.join(', ')})` };
}

/** Where the samples come from, for the header. */
function dataSummary(data: TrainingData): string {
  const s = data.spec;
  if (!s) return `${data.unread ? `not exported (${data.unread})` : 'none in the model'}: pass --data FILE.safetensors (train/<id>, validation/<id>)`;
  const split = `${data.trainCount} for training, ${data.validationCount} for validation`;
  if (s.source === 'csv') return `CSV ${s.path} (copied as ${CSV_FILE}), label ${s.label}; ${split} (${DATA_FILE} holds the split)`;
  if (s.source === 'digits') return `digits${s.limit !== undefined ? ` (first ${s.limit})` : ''}; ${split} (${DATA_FILE})`;
  if (s.source === 'inline') return `the model's inline rows; ${split} (${DATA_FILE})`;
  return `${s.source}: ${s.size ?? 500} points, noise ${s.noise ?? 0}; ${split} (${DATA_FILE})`;
}

/** `def input_features(xy)`: the features of training.dataset.inputFeatures from raw points, as the engine computes them. */
function featuresSource(plan: ExportPlan): string[] {
  const f = plan.inputFeatures!;
  const defs = f.features.map((name) => featureDef(name)!);
  const uses = new Set(defs.flatMap((d) => d.uses));
  return [
    'def input_features(xy):',
    `    """Input ${pyComment(f.id)}'s features (training.dataset.inputFeatures) from raw points [N, 2]: [N, ${f.features.length}] (${f.features.join(', ')})."""`,
    ...(uses.has('x1') ? ['    x1 = xy[:, 0]'] : []),
    ...(uses.has('x2') ? ['    x2 = xy[:, 1]'] : []),
    '    return torch.stack([',
    ...defs.map((d) => `        ${d.expr.replace(/Math\.sin/g, 'torch.sin')},  # ${d.name}`),
    '    ], dim=1)',
  ];
}

export function trainScript(plan: ExportPlan, data: TrainingData, options: TrainScriptOptions): string {
  const training = plan.model.training;
  const settings = readTrainingSettings(training);
  const opt = optimizerSource(training?.optimizer);
  const l1 = readL1(training);
  // The weights the engine's penalty covers (each op's parameter declaration says which: ParamSpec.l1).
  const l1Keys = plan.params.filter((p) => p.l1).map((p) => p.key);
  // What is fed: the bound Input and Target of the dataset (as the engine's Trainer feeds), else every Input and Target.
  const feeds = data.inputId !== null && data.targetId !== null ? [data.inputId, data.targetId] : [...plan.inputs, ...plan.targets];
  const target = data.targetId ?? plan.targets[0] ?? null;
  const output = plan.outputs.length ? outputKey(plan.outputs[0]!) : null;
  const targetType = target !== null ? plan.nodes.get(target)!.type! : null;
  const classifier = data.spec !== null ? data.classifier : targetType?.dtype === 'int32';
  const computeFeatures = plan.inputFeatures !== null && data.rawPoints && !options.modelTakesRawPoints && data.inputId === plan.inputFeatures.id;
  // Parameters of nodes neither the outputs nor the loss use get no gradient: DDP must be told, or it waits for them.
  const computed = new Set([...plan.forOutputs, ...plan.forLoss]);
  const unusedParams = plan.order.some((id) => !computed.has(id) && plan.nodes.get(id)!.params.some((p) => !p.buffer));
  const shapeOf = (id: string) => plan.nodes.get(id)!.type!.shape.slice(1) as number[];
  const name = plan.model.name === undefined || plan.model.name === '' ? '(unnamed)' : JSON.stringify(plan.model.name);
  const featured = plan.inputFeatures;

  const head = [
    '#!/usr/bin/env python3',
    `# Generated by ${options.generator}. Do not edit: export the model again instead.`,
    `# Model: ${name} (nn-graph format version ${plan.model.version})`,
    "# Trains model.py's Model with the model's own training settings, on one process or under torchrun",
    '# (DistributedDataParallel), and writes the trained weights for the editor. See README.md.',
    '#',
    `#   optimizer   ${opt.summary}`,
    `#   epochs ${settings.epochs}, batch size ${settings.batchSize} (over all processes together), seed ${settings.seed}`,
    `#   loss        Model()(...)[${pyStr(options.lossKey)}], the model's loss${l1 > 0 ? `, plus training.l1 = ${pyNum(l1)} times the sum of |w| over ${l1Keys.length} weights` : ''}`,
    `#   data        ${dataSummary(data)}`,
    ...(featured
      ? [
          `#   features    Input ${featured.id} takes ${featured.features.join(', ')} of the raw points (x1, x2), computed ${options.modelTakesRawPoints ? 'by model.py' : 'here'}`,
        ]
      : []),
    `#   writes      ${options.weightsFile} (every parameter and buffer, the model's state-dict keys)`,
    '#',
    '#   python3 train.py [--epochs N] [--batch-size N] [--limit N] [--out FILE] [--weights FILE] [--data FILE] [--cpu]',
    '#   torchrun --nproc_per_node=N train.py [the same options]',
  ].map(pyComment);

  const lines: string[] = [
    ...head,
    '"""Train the exported model with PyTorch, alone or with torchrun (see README.md)."""',
    '',
    'import argparse',
    ...(data.csv ? ['import csv'] : []),
    'import math',
    'import os',
    'import sys',
    'import time',
    '',
    'import torch',
    'import torch.distributed as dist',
    'from torch.nn.parallel import DistributedDataParallel',
    'from torch.utils.data import DataLoader, TensorDataset',
    'from torch.utils.data.distributed import DistributedSampler',
    '',
    'HERE = os.path.dirname(os.path.abspath(__file__))',
    'sys.path.insert(0, HERE)',
    '',
    'from model import Model  # noqa: E402',
    'from safetensors_io import load_file, save_file  # noqa: E402',
    '',
    `SEED = ${settings.seed}`,
    `EPOCHS = ${settings.epochs}`,
    `BATCH_SIZE = ${settings.batchSize}`,
    `VALIDATION_SPLIT = ${pyNum(settings.validationSplit, true)}`,
    "# The nodes each sample feeds, by id: the dataset's Input, then its Target.",
    `FEEDS = ${pyLiteral(feeds)}`,
    `TARGET = ${pyLiteral(target)}`,
    '# The output whose predictions accuracy counts (argmax over classes, or > 0 for one logit).',
    `OUTPUT = ${pyLiteral(output)}`,
    `LOSS = ${pyStr(options.lossKey)}`,
    `CLASSIFIER = ${classifier ? 'True' : 'False'}`,
    `DATA_FILE = ${data.spec ? pyStr(DATA_FILE) : 'None'}`,
    `WEIGHTS_FILE = ${pyStr(options.weightsFile)}`,
    "# Every parameter and buffer, as the editor reads them (BatchNorm's num_batches_tracked is not one).",
    `STATE_KEYS = ${pyList(plan.params.map((p) => pyStr(p.key)))}`,
    '# training.l1: the rate times the sum of |w| over these weights joins the loss minimised (not the loss reported).',
    `L1 = ${pyNum(l1, true)}`,
    `L1_KEYS = ${pyList(l1 > 0 ? l1Keys.map(pyStr) : [])}`,
    ...(unusedParams ? ['# Some layers feed neither the outputs nor the loss: their parameters get no gradient.'] : []),
    `UNUSED_PARAMETERS = ${unusedParams ? 'True' : 'False'}`,
  ];
  if (data.csv) {
    lines.push(
      '# The CSV dataset: columns, and the class list and normalisation stored in the model (None: learned from the file).',
      `CSV_FILE = ${pyStr(CSV_FILE)}`,
      `CSV_FEATURES = ${pyLiteral(data.csv.features)}`,
      `CSV_LABEL = ${pyStr(data.csv.label)}`,
      `CLASSES = ${pyLiteral(data.csv.classes)}`,
      `NORMALIZATION = ${pyLiteral(data.csv.normalization)}`,
      `INPUT_SHAPE = ${pyLiteral(shapeOf(data.inputId!))}`,
      `TARGET_SHAPE = ${pyLiteral(shapeOf(data.targetId!))}`,
      `TARGET_INT = ${targetType?.dtype === 'int32' ? 'True' : 'False'}`,
    );
  }
  lines.push(
    '',
    '',
    'def make_optimizer(parameters):',
    '    """training.optimizer with every hyper-parameter written out (the engine\'s update rules are PyTorch\'s)."""',
    `    return ${opt.call}`,
    '',
  );
  if (computeFeatures) lines.push('', ...featuresSource(plan), '');
  lines.push(...TRAIN_BODY(data.csv !== null, computeFeatures ? plan.inputFeatures!.id : null));
  return lines.join('\n').replace(/[ \t]+$/gm, '') + '\n';
}

/** The script's fixed part: reading data, the process group, the loop, evaluation and saving. */
function TRAIN_BODY(csvSource: boolean, featuredInput: string | null): string[] {
  const csvReader = csvSource
    ? `

def read_csv(path):
    """The CSV dataset as the engine reads it: the feature columns normalised, the label as a class index or a value."""
    with open(path, newline='', encoding='utf-8-sig') as f:
        rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise SystemExit(f'{path}: the CSV file has no data rows')
    header, rows = rows[0], rows[1:]
    names = CSV_FEATURES or [h for h in header if h != CSV_LABEL]
    for name in names + [CSV_LABEL]:
        if name not in header:
            raise SystemExit(f'{path}: column {name!r} is not in the CSV header')
    cols = [header.index(name) for name in names]
    label = header.index(CSV_LABEL)
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise SystemExit(f'{path}: row {i + 2} has {len(row)} fields, expected {len(header)}')
    try:
        x = torch.tensor([[float(row[c]) for c in cols] for row in rows], dtype=torch.float32)
    except ValueError as e:
        raise SystemExit(f'{path}: {e}')
    labels = [row[label].strip() for row in rows]
    if CLASSES is None and all(_is_number(v) for v in labels):
        y = torch.tensor([float(v) for v in labels], dtype=torch.float32)
    else:
        classes = CLASSES or list(dict.fromkeys(labels))
        index = {c: k for k, c in enumerate(classes)}
        unknown = [v for v in labels if v not in index]
        if unknown:
            raise SystemExit(f'{path}: label {unknown[0]!r} is not one of the model\\'s classes {classes}')
        y = torch.tensor([index[v] for v in labels], dtype=torch.int32)
    if NORMALIZATION is not None:
        mean = torch.tensor(NORMALIZATION['mean'], dtype=torch.float64)
        std = torch.tensor(NORMALIZATION['std'], dtype=torch.float64)
    else:
        x64 = x.double()
        mean = x64.mean(0)
        std = ((x64 - mean) ** 2).mean(0).sqrt()
        constant = (x64 == x64[0]).all(0)
        std = torch.where(constant | (std == 0), torch.ones_like(std), std)
    x = ((x.double() - mean) / std).float().reshape([len(rows)] + INPUT_SHAPE)
    y = y.reshape([len(rows)] + TARGET_SHAPE)
    if not TARGET_INT:
        y = y.float()
    return x, y


def _is_number(v):
    try:
        return math.isfinite(float(v))
    except ValueError:
        return False
`
    : '';
  const loadCsv = csvSource
    ? `    if args.data is None:
        x, y = read_csv(os.path.join(HERE, CSV_FILE) if args.csv is None else args.csv)
        n = x.shape[0]
        split = load_file(os.path.join(HERE, DATA_FILE))
        train_rows = split.get('split/train')
        val_rows = split.get('split/validation')
        count = len(train_rows) + (0 if val_rows is None else len(val_rows))
        if count != n:
            # Another file than the one exported: a split of its own, by the same rule.
            perm = torch.randperm(n, generator=torch.Generator().manual_seed(SEED))
            n_val = min(n - 1, math.floor(n * VALIDATION_SPLIT + 0.5))
            val_rows = perm[:n_val] if n_val > 0 else None
            train_rows = perm[n_val:]
        train = TensorDataset(x[train_rows.long()], y[train_rows.long()])
        val = None if val_rows is None else TensorDataset(x[val_rows.long()], y[val_rows.long()])
        return limited(train, args.limit), val
`
    : '';
  const feat = featuredInput !== null ? `    feeds[${pyStr(featuredInput)}] = input_features(feeds[${pyStr(featuredInput)}])\n` : '';
  return `${csvReader}

def limited(dataset, limit):
    if limit is None or limit >= len(dataset):
        return dataset
    return TensorDataset(*(t[:limit] for t in dataset.tensors))


def load_datasets(args):
    """The training and validation sets (None when the model holds none out), as TensorDatasets over FEEDS."""
${loadCsv}    path = args.data or (os.path.join(HERE, DATA_FILE) if DATA_FILE else None)
    if path is None:
        raise SystemExit('the model has no training.dataset: pass --data FILE.safetensors with train/<id> for '
                         + ', '.join(FEEDS))
    tensors = load_file(path)
    missing = [f'train/{k}' for k in FEEDS if f'train/{k}' not in tensors]
    if missing:
        raise SystemExit(f'{path} has no {", ".join(missing)}')
    train = TensorDataset(*(tensors[f'train/{k}'] for k in FEEDS))
    has_val = all(f'validation/{k}' in tensors for k in FEEDS)
    val = TensorDataset(*(tensors[f'validation/{k}'] for k in FEEDS)) if has_val else None
    return limited(train, args.limit), val


def to_feeds(batch, device):
    feeds = {k: t.to(device) for k, t in zip(FEEDS, batch)}
${feat}    return feeds


def correct(out, target):
    """How many predictions match the labels (a tensor): argmax over [N, C], or > 0 for one logit."""
    out = out.reshape(out.shape[0], -1)
    pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > 0).long()
    return (pred == target.reshape(-1).double().round().long()).sum()


def l1_penalty(model):
    params = dict(model.named_parameters())
    return L1 * sum(params[k].abs().sum() for k in L1_KEYS)


def evaluate(model, dataset, device):
    """Mean loss and accuracy over a dataset in eval mode, in batches of 256, as the editor's validation."""
    model.eval()
    loss, hits = 0.0, 0
    with torch.no_grad():
        for batch in DataLoader(dataset, batch_size=256):
            feeds = to_feeds(batch, device)
            out = model(**feeds)
            loss += out[LOSS].item() * batch[0].shape[0]
            if CLASSIFIER:
                hits += correct(out[OUTPUT], feeds[TARGET]).item()
    return loss / len(dataset), hits / len(dataset)


def save_weights(model, path):
    """Every parameter and buffer under the model's keys (no DDP 'module.' prefix), as float32, written atomically."""
    state = model.state_dict()
    tensors = {k: state[k].detach().to('cpu', torch.float32).contiguous() for k in STATE_KEYS}
    tmp = path + '.tmp'
    save_file(tensors, tmp)
    os.replace(tmp, path)


def load_weights(model, path):
    """Start from a weights file (e.g. the editor's sidecar) instead of the exported initial weights."""
    tensors = load_file(path)
    unknown = sorted(set(tensors) - set(STATE_KEYS))
    if unknown:
        raise SystemExit(f'{path}: {unknown[0]} is not a parameter or buffer of the model')
    state = model.state_dict()
    for k, t in tensors.items():
        if tuple(t.shape) != tuple(state[k].shape):
            raise SystemExit(f'{path}: {k} has shape {list(t.shape)} but the model needs {list(state[k].shape)}')
    model.load_state_dict(tensors, strict=False)


def parse_args():
    p = argparse.ArgumentParser(description='Train the exported model (alone, or under torchrun).')
    p.add_argument('--epochs', type=int, default=EPOCHS, help=f'epochs to train (default {EPOCHS})')
    p.add_argument('--batch-size', type=int, default=BATCH_SIZE,
                   help=f'samples per step over all processes together (default {BATCH_SIZE})')
    p.add_argument('--limit', type=int, default=None, help='train on the first N training samples only')
    p.add_argument('--out', default=None, help=f'where to write the trained weights (default {WEIGHTS_FILE} beside this script)')
    p.add_argument('--weights', default=None, help='start from these weights (safetensors) instead of the exported ones')
    p.add_argument('--data', default=None, help='a safetensors file with train/<id> (and validation/<id>) for each of ' + ', '.join(FEEDS))
${csvSource ? `    p.add_argument('--csv', default=None, help='read this CSV file instead of ' + CSV_FILE + ' (same columns)')\n` : ''}    p.add_argument('--cpu', action='store_true', help='train on the CPU even when CUDA is available')
    args = p.parse_args()
    for name in ('epochs', 'batch_size', 'limit'):
        v = getattr(args, name)
        if v is not None and v < 1:
            p.error(f'--{name.replace("_", "-")} must be a positive integer, found {v}')
    if args.out is not None and args.out.endswith('.json'):
        p.error('--out must name a .safetensors file, not a model file')
    return args


def setup(args):
    """(rank, world size, device): one process, or torchrun's process group (NCCL on CUDA, Gloo on the CPU)."""
    cuda = torch.cuda.is_available() and not args.cpu
    if 'WORLD_SIZE' not in os.environ:
        return 0, 1, torch.device('cuda' if cuda else 'cpu')
    local = int(os.environ.get('LOCAL_RANK', '0'))
    if cuda:
        torch.cuda.set_device(local)
    dist.init_process_group('nccl' if cuda else 'gloo')
    return dist.get_rank(), dist.get_world_size(), torch.device('cuda', local) if cuda else torch.device('cpu')


def main():
    args = parse_args()
    rank, world, device = setup(args)
    # Dropout's masks differ between processes, as between the samples of one large batch.
    torch.manual_seed(SEED + rank)
    model = Model()
    if args.weights:
        load_weights(model, args.weights)
    model.to(device)
    train, val = load_datasets(args)
    per_process = max(1, args.batch_size // world)
    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=SEED)
    loader = DataLoader(train, batch_size=per_process, sampler=sampler)
    net = model
    if world > 1:
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None,
                                      find_unused_parameters=UNUSED_PARAMETERS)
    optimizer = make_optimizer(model.parameters())
    out_path = args.out or os.path.join(HERE, WEIGHTS_FILE)
    if rank == 0:
        print(f'training on {len(train)} samples, {world} process{"es" if world > 1 else ""} on {device.type}, '
              f'batch {per_process * world} ({per_process} per process), {args.epochs} epoch{"s" if args.epochs > 1 else ""}', flush=True)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        net.train()
        started = time.time()
        # Summed over the processes at the end of the epoch: loss x samples, correct predictions, samples.
        totals = torch.zeros(3, dtype=torch.float64, device=device)
        for batch in loader:
            feeds = to_feeds(batch, device)
            optimizer.zero_grad()
            out = net(**feeds)
            loss = out[LOSS]
            objective = loss + l1_penalty(model) if L1 > 0 else loss
            objective.backward()
            optimizer.step()
            # Summed on the device: no synchronisation with a GPU at every step.
            n = batch[0].shape[0]
            totals[0] += loss.detach().double() * n
            if CLASSIFIER:
                totals[1] += correct(out[OUTPUT].detach(), feeds[TARGET])
            totals[2] += n
        if world > 1:
            dist.all_reduce(totals)
        if not math.isfinite(totals[0].item()):
            # As the editor stops on a NaN or an infinity; every process sees the same sums and stops.
            if rank == 0:
                print(f'epoch {epoch + 1}: the training loss is not finite ({totals[0].item()}); '
                      'stopping without saving the weights', file=sys.stderr, flush=True)
            raise SystemExit(1)
        if rank == 0:
            line = f'epoch {epoch + 1}/{args.epochs}  loss {totals[0].item() / totals[2].item():.6f}'
            if CLASSIFIER:
                line += f'  acc {100 * totals[1].item() / totals[2].item():.1f}%'
            if val is not None:
                val_loss, val_acc = evaluate(model, val, device)
                line += f'  val_loss {val_loss:.6f}' + (f'  val_acc {100 * val_acc:.1f}%' if CLASSIFIER else '')
            print(f'{line}  ({time.time() - started:.1f} s)', flush=True)
    if rank == 0:
        save_weights(model, out_path)
        print(f'saved the trained weights to {out_path}', flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()`.split('\n');
}
