/**
 * Every template trained for a few dozen steps on the WebAssembly kernels and on the TypeScript reference
 * kernels, from the same seed: the losses must agree step by step within float32 noise (the kernels sum in
 * another order and the relaxed build fuses multiply-adds, so bit equality is not expected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GraphModel,
  Trainer,
  buildDataset,
  readDatasetSpec,
  readTrainingSettings,
  splitDataset,
  useTypeScriptKernels,
  useWasmKernels,
  type ExternalData,
} from '../../engine';
import { readKernelBinaries, startKernelWorkers } from '../../common/kernels';
import { templates, type NnModel } from '../../extension/templates';

const STEPS = 30;

function external(json: NnModel): ExternalData {
  if ((json.training?.dataset as { source?: string } | undefined)?.source !== 'digits') return {};
  const p = join(__dirname, '..', '..', 'dist', 'digits.bin');
  assert.ok(existsSync(p), 'dist/digits.bin is missing: run npm run build');
  return { digits: readFileSync(p) };
}

/** Per-step losses; a run that the NaN guard stops (the exploding-gradients lesson) ends with its message. */
async function losses(json: NnModel): Promise<(number | string)[]> {
  const m = GraphModel.create(JSON.stringify(json));
  const { spec } = readDatasetSpec(json.training);
  const s = readTrainingSettings(json.training);
  const { train, validation } = splitDataset(buildDataset(m, spec!, external(json)), s.validationSplit, s.seed);
  const trainer = new Trainer(m, train, validation, { batchSize: s.batchSize, epochs: 1000, seed: s.seed });
  const out: (number | string)[] = [];
  try {
    for (let i = 0; i < STEPS; i++) out.push((await trainer.trainStep()).loss);
  } catch (e) {
    out.push((e as Error).message);
  }
  return out;
}

test('every template trains to the same losses on the WebAssembly kernels as on the TypeScript ones', async (t) => {
  const binaries = readKernelBinaries();
  assert.ok(binaries, 'dist/kernels is missing: run npm run build');
  try {
    for (const tpl of templates) {
      if (tpl.id === 'empty') continue;
      useTypeScriptKernels();
      const want = await losses(structuredClone(tpl.model));
      const info = useWasmKernels(binaries, { threads: 2, startWorkers: startKernelWorkers });
      assert.notEqual(info.kernels, 'typescript');
      const got = await losses(structuredClone(tpl.model));
      await t.test(`${tpl.id} (${info.kernels})`, () => {
        assert.equal(got.length, want.length, `WebAssembly ${got.at(-1)}; TypeScript ${want.at(-1)}`);
        for (let i = 0; i < want.length; i++) {
          const w = want[i],
            g = got[i];
          if (typeof w === 'string') assert.equal(g, w, 'the same NaN stop');
          else
            assert.ok(
              typeof g === 'number' && Math.abs(g - w) <= 1e-3 * Math.max(1, Math.abs(w)),
              `step ${i + 1}: loss ${g} on WebAssembly, ${w} on TypeScript`,
            );
        }
      });
    }
  } finally {
    useTypeScriptKernels();
  }
});
