// The WebGPU rows of `npm run bench` print figures only on a hardware adapter: on a software one they say the figures
// are not meaningful, and without an adapter they say that; the benchmark still succeeds either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SWIFTSHADER_ICD, skipWithoutDevice } from '../webgpu/device';

const BENCH = join(__dirname, '..', '..', 'bench', 'webgpu.bench.ts');

function bench(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BENCH, '--no-write', ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(join(tmpdir(), 'bps-xdg-')), ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('no adapter: the benchmark says so and succeeds', () => {
  const r = bench({ VK_ICD_FILENAMES: join(tmpdir(), 'no-such-icd.json') });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^No WebGPU rows: no WebGPU adapter: VK_ICD_FILENAMES names .*no-such-icd\.json/m);
  assert.doesNotMatch(r.stdout, /GFLOP\/s/);
});

test('a software adapter: no figures, and why', async (t) => {
  const skip = await skipWithoutDevice();
  if (skip) return t.skip(skip);
  // SwiftShader is the software adapter these machines have; a machine with another driver chosen is not this case.
  if (process.env.VK_ICD_FILENAMES && process.env.VK_ICD_FILENAMES !== SWIFTSHADER_ICD) return t.skip('VK_ICD_FILENAMES names another driver');
  if (!existsSync(SWIFTSHADER_ICD)) return t.skip('no SwiftShader');
  const r = bench({ VK_ICD_FILENAMES: SWIFTSHADER_ICD });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^adapter: .*swiftshader.*, a software adapter$/im);
  assert.match(r.stdout, /No WebGPU figures: a software adapter runs WebGPU on the CPU, so its times are not meaningful/);
  assert.doesNotMatch(r.stdout, /GFLOP\/s|matmul/);
});
