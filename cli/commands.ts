/** grad, train and predict: the spec's command-line contract over the engine. The feed is checked first (loadFeed). */
import { createOptimizer, noGrad, type GraphModel, type Tensor } from '../engine';
import { tensorJson, lossNumber, type TensorOut } from './output';

/** A dictionary keyed by node ids: null-prototype, so an id like `__proto__` is an ordinary key. */
const byId = <T>() => Object.create(null) as Record<string, T>;

/** A non-finite loss or gradient: exit 3 with this line. */
export class NonFiniteError extends Error {}

export async function guardFinite(model: GraphModel, pass: Parameters<GraphModel['firstNonFinite']>[0], what: string): Promise<void> {
  const bad = await model.firstNonFinite(pass);
  if (bad) throw new NonFiniteError(`${what}: ${bad.where === 'output' ? 'non-finite values' : 'a non-finite gradient'} first appeared in ${bad.detail}`);
}

export async function gradCommand(model: GraphModel, feeds: Record<string, Tensor>) {
  const problem = model.lossProblem();
  if (problem) throw new Error(problem);
  // Every float32 Input gets a gradient too.
  for (const id of model.inputIds) if (feeds[id].dtype === 'float32') feeds[id].requiresGrad = true;
  const pass = model.forward(feeds, { training: true, retainGrads: true });
  const loss = pass.loss!;
  if (!Number.isFinite(await loss.item())) await guardFinite(model, pass, 'non-finite loss');
  if (loss.requiresGrad) loss.backward();
  await guardFinite(model, pass, 'non-finite gradient');
  const outputs = byId<TensorOut>();
  for (const id of model.order) {
    const v = pass.values.get(id);
    if (v) outputs[id] = await tensorJson(v);
  }
  const grads = byId<TensorOut>();
  for (const [key, p] of model.namedParameters()) {
    // A parameter the loss does not reach has a zero gradient.
    grads[key] = p.grad ? await tensorJson(p.grad) : { shape: [...p.shape], data: new Array(p.size).fill(0) };
  }
  for (const id of model.inputIds) {
    const x = feeds[id];
    if (x.dtype === 'float32') grads[id] = x.grad ? await tensorJson(x.grad) : { shape: [...x.shape], data: new Array(x.size).fill(0) };
  }
  return { loss: lossNumber(await loss.item()), outputs, grads };
}

export async function trainCommand(model: GraphModel, feeds: Record<string, Tensor>, steps: number) {
  const problem = model.lossProblem();
  if (problem) throw new Error(problem);
  const optimizer = createOptimizer(model.json.training?.optimizer, model.parameters());
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const pass = model.forward(feeds, { training: true, step, retainGrads: true });
    const loss = pass.loss!;
    const value = await loss.item();
    if (!Number.isFinite(value)) await guardFinite(model, pass, `non-finite loss before step ${step + 1}`);
    losses.push(lossNumber(value));
    if (!loss.requiresGrad) continue;
    loss.backward();
    await guardFinite(model, pass, `step ${step + 1}`);
    noGrad(() => optimizer.step());
  }
  const params = byId<TensorOut>();
  for (const [key, t] of model.state) params[key] = await tensorJson(t);
  return { losses, params };
}

export async function predictCommand(model: GraphModel, feeds: Record<string, Tensor>) {
  const pass = noGrad(() => model.forward(feeds, { training: false, computeLoss: false }));
  await guardFinite(model, pass, 'inference');
  const outputs = byId<TensorOut>();
  for (const [id, t] of pass.outputs) outputs[id] = await tensorJson(t);
  return { outputs };
}
