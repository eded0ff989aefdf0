// New Model's templates: each one validates, builds its dataset and trains; the lessons on gradients show what
// their notes say, measured with the engine (the first step's gradients, as the overlay and depth profile draw
// them) and with the editor's training run (engine/train/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphModel, Tensor, Trainer, analyzeModel, buildDataset, readDatasetSpec, readTrainingSettings, splitDataset, type ExternalData } from '../../engine';
import { templates, type NnModel } from '../../extension/templates';
import { runTraining } from '../../engine/train/run';
import type { FromWorker } from '../../extension/training/workerProtocol';

const model = (id: string): NnModel => {
  const t = templates.find((x) => x.id === id);
  assert.ok(t, `no template ${id}`);
  return structuredClone(t.model);
};

function external(json: NnModel): ExternalData {
  if ((json.training?.dataset as { source?: string } | undefined)?.source !== 'digits') return {};
  const p = join(__dirname, '..', '..', 'dist', 'digits.bin');
  assert.ok(existsSync(p), 'dist/digits.bin is missing: run npm run build');
  return { digits: readFileSync(p) };
}

/** The template's model and a Trainer on its own dataset, split and batched as the editor and the CLI do. */
function setup(json: NnModel) {
  const m = GraphModel.create(JSON.stringify(json));
  const { spec, problems } = readDatasetSpec(json.training);
  assert.deepEqual(problems, [], json.name);
  const s = readTrainingSettings(json.training);
  const data = buildDataset(m, spec!, external(json));
  const { train, validation } = splitDataset(data, s.validationSplit, s.seed);
  return { model: m, data, trainer: new Trainer(m, train, validation, { batchSize: s.batchSize, epochs: s.epochs, seed: s.seed }) };
}

const rms = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);

/** Each Linear's weight-gradient RMS after the first step, from the input side: the gradients at initialisation. */
async function firstStepWeightGradRms(json: NnModel): Promise<number[]> {
  const { model: m, trainer } = setup(json);
  await trainer.trainStep();
  return m.order.filter((id) => m.nodes.get(id)!.spec!.op === 'Linear').map((id) => rms(m.state.get(`${id}.weight`)!.grad!.dataSync()));
}

async function trainAll(json: NnModel) {
  const { trainer } = setup(json);
  while (!trainer.done) await trainer.trainStep();
  return trainer.history;
}

const LESSONS = ['single-neuron', 'vanishing-gradients-sigmoid', 'deep-relu', 'deep-residual', 'exploding-gradients', 'dead-relus'];

test('every template validates, builds its dataset and takes three finite steps', async () => {
  for (const t of templates) {
    if (t.id === 'empty') continue;
    assert.deepEqual(analyzeModel(JSON.stringify(t.model)).errors, [], t.id);
    const { trainer } = setup(structuredClone(t.model));
    for (let i = 0; i < 3; i++) {
      const r = await trainer.trainStep();
      assert.ok(Number.isFinite(r.loss), `${t.id}: step ${r.step} loss ${r.loss}`);
    }
  }
});

test('each lesson on gradients opens with a note of what to look for, stored in the model as its description', () => {
  for (const id of LESSONS) {
    const note = model(id).description;
    assert.ok(typeof note === 'string' && note.length > 100, `${id}: ${note}`);
  }
  assert.deepEqual(
    templates.map((t) => t.id).filter((id) => LESSONS.includes(id)),
    LESSONS,
    'offered in this order',
  );
});

test("single neuron: micrograd's forward value and gradients, checkable by hand, and the note quotes them", async () => {
  const json = model('single-neuron');
  const { model: m, data } = setup(json);
  assert.deepEqual(Array.from(data.inputs), [2, 0]);
  assert.deepEqual(Array.from(data.targets), [1]);
  // By hand, in float64 from the stored float32 values: n = x₁w₁ + x₂w₂ + b, o = tanh n, L = (o − 1)².
  const b = Math.fround(6.8813735870195432);
  const n = 2 * -3 + 0 * 1 + b;
  const o = Math.tanh(n);
  const loss = (o - 1) ** 2;
  const dO = 2 * (o - 1),
    dN = dO * (1 - o * o);
  const pass = m.forward({ x: Tensor.fromData(data.inputs, [1, 2]), y: Tensor.fromData(data.targets, [1, 1]) }, { training: true, retainGrads: true });
  const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) < 1e-5, `${what}: ${got}, by hand ${want}`);
  close(pass.values.get('n')!.dataSync()[0], n, 'n');
  close(pass.values.get('o')!.dataSync()[0], o, 'o');
  close(pass.loss!.dataSync()[0], loss, 'loss');
  pass.loss!.backward();
  close(pass.values.get('o')!.grad!.dataSync()[0], dO, '∂L/∂o');
  close(pass.values.get('n')!.grad!.dataSync()[0], dN, '∂L/∂n');
  const dW = m.state.get('n.weight')!.grad!.dataSync();
  close(dW[0], 2 * dN, '∂L/∂w₁');
  assert.equal(dW[1], 0, '∂L/∂w₂ is 0: x₂ is 0');
  close(m.state.get('n.bias')!.grad!.dataSync()[0], dN, '∂L/∂b');
  // micrograd's famous values: o = 1/√2 and tanh′(n) = 0.5.
  close(o, Math.SQRT1_2, 'o');
  close(1 - o * o, 0.5, 'tanh′');
  const note = json.description!;
  const minus = (v: number, digits: number) => `−${Math.abs(v).toFixed(digits)}`;
  for (const quoted of [
    `n = ${n.toFixed(4)}`,
    `o = ${o.toFixed(4)}`,
    `(o − 1)² = ${loss.toFixed(4)}`,
    `2(o − 1) = ${minus(dO, 3)}`,
    `∂L/∂n = ${minus(dN, 3)}`,
    `∂L/∂w₁ = x₁·∂L/∂n = ${minus(2 * dN, 3)}`,
    `∂L/∂b = ${minus(dN, 3)}`,
  ]) {
    assert.ok(note.includes(quoted), `the note should say "${quoted}": ${note}`);
  }
  // Training pushes o towards the target.
  const history = await trainAll(json);
  assert.ok(history.at(-1)!.trainLoss < loss / 2, `loss ${history.at(-1)!.trainLoss} from ${loss}`);
});

test("vanishing gradients: the 10-layer sigmoid MLP's first layer gets a weight gradient at least 1e5 times smaller than its last", async () => {
  const g = await firstStepWeightGradRms(model('vanishing-gradients-sigmoid'));
  assert.equal(g.length, 10);
  assert.ok(g.at(-1)! / g[0] >= 1e5, `first ${g[0]}, last ${g.at(-1)}`);
  // Shrinking at every layer on the way back.
  for (let i = 1; i < g.length; i++) assert.ok(g[i - 1] < g[i], `fc${i} ${g[i - 1]} vs fc${i + 1} ${g[i]}`);
  // The editor's first overlay update flags the edges near the input vanishing, none near the loss.
  const msgs: FromWorker[] = [];
  let steps = 0;
  await runTraining(
    {
      modelText: JSON.stringify(model('vanishing-gradients-sigmoid')),
      sidecar: null,
      external: {},
      options: { overlay: true, maxUpdatesPerSecond: 1e9, boundaryGrid: 0 },
    },
    (m) => msgs.push(m),
    { next: async () => (++steps > 1 ? 'stop' : 'go') },
  );
  const first = msgs.find((m) => m.type === 'gradients');
  assert.ok(first && first.type === 'gradients');
  const edges = model('vanishing-gradients-sigmoid').edges;
  const flagged = (from: string) => first.update.flags[edges.findIndex((e) => e.from === from)];
  assert.equal(flagged('fc1'), 'vanishing');
  assert.equal(flagged('fc10'), null);
  // And it does not learn the circle: chance level.
  const h = await trainAll(model('vanishing-gradients-sigmoid'));
  assert.ok(h.at(-1)!.valAccuracy! <= 0.65, `validation accuracy ${h.at(-1)!.valAccuracy}`);
});

test('the same depth with ReLU spreads far less, and with residual connections less still, within a few decades', async () => {
  const spread = (g: number[]) => g.at(-1)! / g[0];
  const sigmoid = spread(await firstStepWeightGradRms(model('vanishing-gradients-sigmoid')));
  const relu = spread(await firstStepWeightGradRms(model('deep-relu')));
  const residual = await firstStepWeightGradRms(model('deep-residual'));
  assert.ok(relu <= sigmoid / 1e3, `ReLU spread ${relu} vs sigmoid ${sigmoid}`);
  assert.ok(spread(residual) <= relu / 10, `residual spread ${spread(residual)} vs ReLU ${relu}`);
  assert.ok(residual[0] >= residual.at(-1)! / 1e3, `residual first ${residual[0]}, last ${residual.at(-1)}`);
  // Both learn the circle; the residual model gets there in fewer epochs.
  const firstGood = (h: { valAccuracy?: number }[]) => h.findIndex((e) => e.valAccuracy! >= 0.9);
  const hr = await trainAll(model('deep-relu'));
  const hs = await trainAll(model('deep-residual'));
  assert.ok(hr.at(-1)!.valAccuracy! >= 0.95 && hs.at(-1)!.valAccuracy! >= 0.95, `ReLU ${hr.at(-1)!.valAccuracy}, residual ${hs.at(-1)!.valAccuracy}`);
  assert.ok(firstGood(hs) >= 0 && firstGood(hs) < firstGood(hr), `epochs to 90%: residual ${firstGood(hs)}, ReLU ${firstGood(hr)}`);
});

test("exploding gradients: the editor's run stops on the NaN guard within a few steps, naming the node, after flagging edges exploding", async () => {
  const run = async (json: NnModel) => {
    const msgs: FromWorker[] = [];
    await runTraining(
      { modelText: JSON.stringify(json), sidecar: null, external: {}, options: { overlay: true, maxUpdatesPerSecond: 1e9, boundaryGrid: 0 } },
      (m) => msgs.push(m),
      { next: async () => 'go' },
    );
    return msgs;
  };
  const json = model('exploding-gradients');
  const msgs = await run(json);
  const nf = msgs.find((m) => m.type === 'nonFinite');
  assert.ok(nf && nf.type === 'nonFinite', JSON.stringify(msgs.map((m) => m.type)));
  assert.ok(nf.step <= 10, `stopped at step ${nf.step}`);
  assert.ok(
    json.nodes.some((n) => n.id === nf.nodeId),
    `names ${nf.nodeId}`,
  );
  // As the note and docs/training.md say: step 5, in fc3.
  assert.match(json.description!, new RegExp(`at step ${nf.step} a value overflows`));
  assert.equal(nf.nodeId, 'fc3');
  assert.match(nf.detail, new RegExp(`step ${nf.step}: non-finite values first appeared in the .* of node "${nf.nodeId}"`));
  // On the way there, the gradients grow by orders of magnitude a step and edges are flagged exploding.
  const updates = msgs.flatMap((m) => (m.type === 'gradients' ? [m.update] : []));
  assert.ok(
    updates.some((u) => u.flags.includes('exploding')),
    JSON.stringify(updates.map((u) => u.flags)),
  );
  const largest = updates.map((u) => Math.max(...u.edges));
  assert.ok(largest.at(-1)! > 1e6 * largest[0], `largest edge gradient by step: ${largest.join(', ')}`);
  for (const t of Object.values((await import('../../engine')).decodeSafetensors(nf.weights).tensors)) assert.ok(t.data.every(Number.isFinite));
  // The note's remedy: at learning rate 0.1 the same model trains.
  (json.training!.optimizer as { lr: number }).lr = 0.1;
  const calm = await run(json);
  const fin = calm.find((m) => m.type === 'finished');
  assert.ok(fin && fin.type === 'finished' && fin.reason === 'completed', JSON.stringify(calm.map((m) => m.type)));
  assert.ok(fin.history.at(-1)!.trainLoss < 0.05, `loss ${fin.history.at(-1)!.trainLoss}`);
});

test("dead ReLUs: with fc1's bias at −4, whole hidden units get exactly zero weight gradient on every point, and never change", async () => {
  /** The hidden units of fc1 whose row of the weight gradient is exactly zero over the whole dataset. */
  const deadUnits = (json: NnModel) => {
    const { model: m, data } = setup(json);
    const pass = m.forward({ x: Tensor.fromData(data.inputs, [data.n, 2]), y: Tensor.fromData(data.targets, [data.n], 'int32') }, { training: true });
    pass.loss!.backward();
    const g = m.state.get('fc1.weight')!.grad!.dataSync();
    const b = m.state.get('fc1.bias')!.grad!.dataSync();
    return Array.from({ length: 16 }, (_, u) => u).filter((u) => g[2 * u] === 0 && g[2 * u + 1] === 0 && b[u] === 0);
  };
  const json = model('dead-relus');
  const dead = deadUnits(json);
  assert.ok(dead.length > 0 && dead.length < 16, `dead units ${dead}`);
  assert.match(json.description!, new RegExp(`${dead.length} of the 16 units are dead`));
  // Trained, the dead units' weights are exactly where they started; the model stalls short of the circle.
  const { model: m, trainer } = setup(json);
  const before = Array.from(m.state.get('fc1.weight')!.dataSync());
  while (!trainer.done) await trainer.trainStep();
  const after = m.state.get('fc1.weight')!.dataSync();
  for (const u of dead) assert.deepEqual([after[2 * u], after[2 * u + 1]], [before[2 * u], before[2 * u + 1]], `unit ${u} moved`);
  assert.ok(trainer.history.at(-1)!.valAccuracy! < 0.9, `validation accuracy ${trainer.history.at(-1)!.valAccuracy}`);
  // Without the inline bias (what Reset weights leaves), every unit lives and the circle is learned.
  delete json.params;
  assert.deepEqual(deadUnits(json), []);
  assert.ok((await trainAll(json)).at(-1)!.valAccuracy! >= 0.95);
});
