/**
 * backprop-studio: the engine headless, for scripts and CI.
 * Exit codes: 0 ok, 1 bad model or feed (or no WebGPU with --backend webgpu), 2 usage error, 3 non-finite loss or gradient, 4 gradcheck found a wrong gradient.
 */
import { FeedError } from '../engine';
import { parseArgs, UsageError } from './args';
import { gradCommand, NonFiniteError, predictCommand, trainCommand } from './commands';
import { exportCommand, parseTarget } from './export';
import { GRADCHECK_FLAGS, runGradcheck } from './gradcheck';
import { checkWritable, writeOrRescue } from './files';
import { InputError, loadFeed, loadModel } from './load';
import { trainOnDataset } from './trainDataset';
import { profileCommand, profileTable } from './profile';
import { enableFastKernels } from '../common/kernels';
import { datasetBatch } from './datasetBatch';
import { BackendUnavailableError, backendFailed, describeBackend, parseBackend, useBackend, type BackendName } from './backend';
import { nodeWebGpuRequested, releaseNodeWebGpu } from '../common/webgpu';

const USAGE = `Usage: backprop-studio <command> [options]

Commands:
  grad    MODEL.nn.json --feed FEED.json [--out RESULT.json]
          One forward and backward pass in training mode: loss, every node's output, every gradient.
  train   MODEL.nn.json --feed FEED.json --steps N [--out RESULT.json]
          N optimizer steps on the feed (full batch): the losses and the trained parameters.
  train   MODEL.nn.json [--epochs N] [--batch-size N]
          Train on the model's own dataset (training.dataset) with a progress line;
          the weights are written to the model's safetensors sidecar.
  predict MODEL.nn.json --feed FEED.json [--out RESULT.json]
          Inference (eval mode): the model's outputs.
  profile MODEL.nn.json [--feed FEED.json] [--steps N] [--out PROFILE.json]
          What a training step costs: forward, backward and update times (medians of N steps,
          default 20) and per node, against the analytic FLOPs. Without --feed, one seeded
          batch of the model's dataset. Prints a table; the JSON goes to --out.
  export  MODEL.nn.json --target engine|standalone --out FILE.ts [--force]
          [--embed-weights|--no-embed-weights] [--engine-import SPEC]
          TypeScript code for the model: 'engine' builds it with the engine (written beside it,
          or imported from SPEC); 'standalone' is dependency-free inference. Weights are embedded
          when small unless told otherwise. Never overwrites a file without --force.
  export  MODEL.nn.json --target pytorch --out DIR [--force]
          A PyTorch folder: model.py (class Model), its initial weights, a safetensors reader/writer.
          An existing non-empty DIR needs --force; files that would not change are left alone.
  export  MODEL.nn.json --target onnx --out FILE.onnx [--force]
          The inference graph (eval mode) with its weights as an ONNX model (opset 17, batch
          dimension N), inputs and outputs named by the node ids.
  gradcheck MODEL.nn.json [--feed FEED.json] [--node ID] [--samples K] [--eps E] [--out FILE.json]
          Every parameter's and float Input's float32 gradient against float64 central
          differences (K entries per tensor, default 20; eps default 1e-6); without --feed,
          the first training batch of the model's dataset. Exit 4 when one disagrees.

Options:
  --backend cpu|webgpu
              grad, train, predict, profile: where the engine runs (default cpu); webgpu
              needs the npm package webgpu and a Vulkan driver (docs/cli.md).
  --help      show this help
  --version   show the version

Exit codes: 0 success, 1 bad model or feed (or, with --backend webgpu, no webgpu package or no
            adapter), 2 usage error, 3 non-finite loss or gradient, 4 gradcheck: a gradient
            disagrees with the finite differences.
Docs: docs/cli.md`;

const COMMANDS = ['grad', 'train', 'predict', 'profile', 'export', 'gradcheck'];

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    ['feed', 'out', 'steps', 'target', 'epochs', 'batch-size', 'engine-import', 'backend', ...GRADCHECK_FLAGS],
    ['help', 'version', 'force', 'embed-weights', 'no-embed-weights'],
  );
  if (args.flags.has('help') || argv.length === 0) {
    process.stdout.write(USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  if (args.flags.has('version')) {
    process.stdout.write(`backprop-studio ${VERSION}\n`);
    return 0;
  }
  const [command, modelPath, ...rest] = args.positionals;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.join(', ')}; see --help)`);
  const backendName = parseBackend(args.flags, command);
  if (command === 'gradcheck') {
    for (const flag of ['target', 'engine-import', 'embed-weights', 'no-embed-weights', 'force'])
      if (args.flags.has(flag)) throw new UsageError(`--${flag} applies to export, not gradcheck`);
    return runGradcheck(modelPath, rest, args.flags, process.stdout);
  }
  for (const flag of GRADCHECK_FLAGS) if (args.flags.has(flag)) throw new UsageError(`--${flag} applies to gradcheck, not ${command}`);
  if (command === 'export') return runExport(modelPath, rest, args.flags);
  for (const flag of ['target', 'engine-import', 'embed-weights', 'no-embed-weights', 'force']) {
    if (args.flags.has(flag)) throw new UsageError(`--${flag} applies to export, not ${command}`);
  }
  if (!modelPath)
    throw new UsageError(`${command} needs a model file: backprop-studio ${command} MODEL.nn.json${command === 'profile' ? '' : ' --feed FEED.json'}`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (command === 'profile') return runProfile(modelPath, args.flags, backendName);
  const feedPath = args.flags.get('feed');
  if (command === 'train' && feedPath === undefined) return trainOnModelDataset(modelPath, args.flags, backendName);
  if (typeof feedPath !== 'string') throw new UsageError(`${command} needs --feed FEED.json`);
  for (const f of ['epochs', 'batch-size'])
    if (args.flags.has(f)) throw new UsageError(`--${f} applies to training on the model's dataset (train without --feed)`);
  let steps = 0;
  if (command === 'train') {
    const s = args.flags.get('steps');
    if (typeof s !== 'string' || !/^\d+$/.test(s)) throw new UsageError('train needs --steps N (a non-negative integer)');
    steps = Number(s);
  } else if (args.flags.has('steps')) throw new UsageError(`--steps applies to train, not ${command}`);
  const out = args.flags.get('out');
  // Every check before the work: the destination, the model, then the feed against the model.
  if (typeof out === 'string') checkWritable(out, '--out');
  // The model's and feed's tensors are made on the backend: chosen before them.
  await useBackend(backendName);
  const model = loadModel(modelPath);
  const feeds = loadFeed(feedPath, model, command !== 'predict');
  const result =
    command === 'grad' ? await gradCommand(model, feeds) : command === 'train' ? await trainCommand(model, feeds, steps) : await predictCommand(model, feeds);
  // Everything is computed before anything is written: a failure leaves no partial output.
  const text = JSON.stringify(result) + '\n';
  if (typeof out === 'string') writeOrRescue(out, text, '--out');
  else process.stdout.write(text);
  return 0;
}

function positiveInt(flags: Map<string, string | true>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[1-9]\d*$/.test(v)) throw new UsageError(`--${name} needs a positive integer`);
  return Number(v);
}

async function trainOnModelDataset(modelPath: string, flags: Map<string, string | true>, backendName: BackendName): Promise<number> {
  for (const f of ['steps', 'out']) if (flags.has(f)) throw new UsageError(`--${f} applies to train with --feed`);
  const epochs = positiveInt(flags, 'epochs');
  const batchSize = positiveInt(flags, 'batch-size');
  const backend = await useBackend(backendName);
  // The progress says where the run computes when it is not the default.
  if (backend.adapter) process.stderr.write(`training on ${describeBackend(backend)}\n`);
  const model = loadModel(modelPath);
  await trainOnDataset(modelPath, model, { epochs, batchSize, progress: process.stderr });
  return 0;
}

async function runProfile(modelPath: string, flags: Map<string, string | true>, backendName: BackendName): Promise<number> {
  for (const f of ['epochs', 'batch-size'])
    if (flags.has(f)) throw new UsageError(`--${f} does not apply to profile: it takes training.batchSize, or the feed's batch`);
  const steps = positiveInt(flags, 'steps') ?? 20;
  const feedPath = flags.get('feed');
  const out = flags.get('out');
  // Every check before the work: the destination, the model, then the feed (or the dataset).
  if (typeof out === 'string') checkWritable(out, '--out');
  const backend = await useBackend(backendName);
  const model = loadModel(modelPath);
  const feeds = typeof feedPath === 'string' ? loadFeed(feedPath, model, true) : datasetBatch(modelPath, model, 'profile');
  const result = await profileCommand(model, feeds, steps, typeof feedPath === 'string' ? 'feed' : 'dataset', backend);
  process.stdout.write(profileTable(result, modelPath));
  if (typeof out === 'string') writeOrRescue(out, JSON.stringify(result) + '\n', '--out');
  return 0;
}

function runExport(modelPath: string | undefined, rest: string[], flags: Map<string, string | true>): number {
  if (!modelPath)
    throw new UsageError(
      'export needs a model file: backprop-studio export MODEL.nn.json --target engine|standalone|onnx --out FILE (or --target pytorch --out DIR)',
    );
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  for (const flag of ['feed', 'steps', 'epochs', 'batch-size']) if (flags.has(flag)) throw new UsageError(`--${flag} does not apply to export`);
  const target = parseTarget(flags.get('target'));
  const out = flags.get('out');
  if (typeof out !== 'string') throw new UsageError(`export needs --out ${target === 'pytorch' ? 'DIR' : target === 'onnx' ? 'FILE.onnx' : 'FILE.ts'}`);
  if (target === 'pytorch') {
    for (const flag of ['embed-weights', 'no-embed-weights'])
      if (flags.has(flag)) throw new UsageError(`--${flag} does not apply to the pytorch target (its weights are always a file in the folder)`);
  }
  if (target === 'onnx')
    for (const flag of ['embed-weights', 'no-embed-weights'])
      if (flags.has(flag)) throw new UsageError(`--${flag} applies to the TypeScript targets; an ONNX file always holds its weights`);
  if (flags.has('embed-weights') && flags.has('no-embed-weights')) throw new UsageError('--embed-weights and --no-embed-weights contradict each other');
  const engineImport = flags.get('engine-import');
  if (engineImport !== undefined && target !== 'engine') throw new UsageError('--engine-import applies to the engine target');
  const { written, unchanged } = exportCommand({
    modelPath,
    target,
    out,
    force: flags.has('force'),
    embedWeights: flags.has('embed-weights') ? true : flags.has('no-embed-weights') ? false : undefined,
    engineImport: typeof engineImport === 'string' ? engineImport : undefined,
    generator: `Backprop Studio ${VERSION} (backprop-studio export)`,
    version: VERSION,
  });
  process.stdout.write([...written.map((p) => `wrote ${p}\n`), ...unchanged.map((p) => `unchanged ${p}\n`)].join(''));
  return 0;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

export async function main(argv: string[]): Promise<number> {
  exitOnSignals();
  try {
    enableFastKernels();
    return await Promise.race([run(argv), backendFailed]);
  } catch (e) {
    if (e instanceof BackendUnavailableError) {
      process.stderr.write(`backprop-studio: ${e.message}\n`);
      return 1;
    }
    const msg = String((e as Error)?.message ?? e).split('\n')[0];
    if (e instanceof UsageError) {
      process.stderr.write(`backprop-studio: ${msg}\n`);
      return 2;
    }
    if (e instanceof NonFiniteError) {
      process.stderr.write(`backprop-studio: ${msg}\n`);
      return 3;
    }
    if (e instanceof InputError || e instanceof FeedError || e instanceof RangeError || e instanceof TypeError || (e as Error).name === 'ShapeError') {
      process.stderr.write(`backprop-studio: ${msg}\n`);
      return 1;
    }
    if (e instanceof Error && /loss node|output node/.test(e.message)) {
      process.stderr.write(`backprop-studio: ${msg}\n`);
      return 1;
    }
    // A bug of ours: one line for the user; the stack trace when asked for.
    const debug = process.env.BACKPROP_STUDIO_DEBUG;
    process.stderr.write(`backprop-studio: internal error: ${msg}${debug ? `\n${(e as Error).stack ?? e}` : ' (set BACKPROP_STUDIO_DEBUG=1 for details)'}\n`);
    return 70;
  } finally {
    if (nodeWebGpuRequested()) await endWebGpu();
  }
}

/**
 * Dawn keeps the process alive while its instance exists, and may still after the device is destroyed: the device
 * is let go, and if anything of Dawn's still holds the event loop once the exit code is set, the process ends.
 */
async function endWebGpu(): Promise<void> {
  await releaseNodeWebGpu();
  setTimeout(() => process.exit(), 200).unref();
}

/**
 * Ctrl+C, a closed terminal or `kill` end the run between two steps of JavaScript: a synchronous write in
 * progress (writeFileAtomic) completes or is undone first, so no temporary file is left half-written.
 */
function exitOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbackprop-studio: stopped by ${signal} before the run ended\n`);
      process.exit(code);
    });
  }
}

if (require.main === module) {
  // main() turns every error it expects into an exit code; anything else is a bug, which Node's unhandled-rejection
  // handler prints before it exits with 1.
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
