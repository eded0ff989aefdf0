// common/webgpu.ts's answers where there is no device to be had, and how it tells a software adapter from a GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapterInfo, describeAdapter, nodeWebGpu, packageProblem } from '../../common/webgpu';
import type { GpuAdapter } from '../../engine/backend/webgpu/gpu';

test('no webgpu package: one line that names the package and how to install it', async () => {
  delete process.env.VK_ICD_FILENAMES;
  const missing = Object.assign(new Error("Cannot find package 'webgpu' imported from /x/dist/cli.js\nRequire stack: …"), { code: 'ERR_MODULE_NOT_FOUND' });
  const r = await nodeWebGpu(() => Promise.reject(missing));
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.missing, 'package');
  assert.ok(!r.message.includes('\n'), r.message);
  assert.match(
    r.message,
    /needs the npm package webgpu, which is not installed \(Cannot find package 'webgpu' imported from \/x\/dist\/cli\.js\); install it with npm install webgpu$/,
  );
});

const adapter = (info: Record<string, unknown>, isFallbackAdapter?: boolean) => ({ info, isFallbackAdapter, limits: {} }) as unknown as GpuAdapter;

test('a webgpu package that does not load (no binary for the platform): one line that says so', () => {
  // (nodeWebGpu's answer is cached for the process: the first test has it; this one asks for the line alone.)
  const message = packageProblem(new Error("Cannot find module '/x/node_modules/webgpu/dist/linux-riscv64/dawn.node'\nRequire stack: …"));
  assert.match(
    message,
    /^--backend webgpu needs the npm package webgpu, which did not load \(Cannot find module '.*dawn\.node'\); reinstall it with npm install webgpu, or check that it has a build for /,
  );
  assert.ok(!message.includes('\n'), message);
});

test('software adapters are recognised: the fallback flag, SwiftShader, llvmpipe; a GPU is not', () => {
  const swiftshader = adapterInfo(
    adapter({ vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' }),
  );
  assert.equal(swiftshader.software, true);
  assert.equal(describeAdapter(swiftshader), 'google swiftshader (SwiftShader driver 5.0.0), a software adapter');
  assert.equal(adapterInfo(adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).software, true);
  assert.equal(adapterInfo(adapter({ vendor: 'x', isFallbackAdapter: true })).software, true);
  assert.equal(adapterInfo(adapter({ vendor: 'x' }, true)).software, true);
  const h200 = adapterInfo(adapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' }, false));
  assert.equal(h200.software, false);
  assert.equal(describeAdapter(h200), 'nvidia hopper (NVIDIA H200)');
  assert.equal(describeAdapter(adapterInfo(adapter({}))), 'unnamed adapter');
});

test('the command-line bundle loads webgpu from node_modules when asked, and holds none of Dawn', () => {
  const bundle = readFileSync(join(__dirname, '..', '..', 'dist', 'cli.js'), 'utf8');
  assert.match(bundle, /import\("webgpu"\)/);
  assert.doesNotMatch(bundle, /dawn\.node/);
});
