// A WebGPU device that fails says so once, with a reason a runner can show before it falls back to the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebGpuBackend } from '../../engine/backend/webgpu';
import { freshDevice, skipWithoutDevice } from './device';

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

test('a lost device resolves `failed` with a reason', async (t) => {
  const skip = await skipWithoutDevice();
  if (skip) return t.skip(skip);
  const device = (await freshDevice())!;
  const gpu = new WebGpuBackend(device);
  assert.equal(await within(gpu.failed, 200), 'timeout', 'a working device has not failed');
  device.destroy();
  const why = await within(gpu.failed, 5000);
  assert.match(String(why), /^the WebGPU device was lost/);
});

test('an error no scope caught (an invalid command) resolves `failed` with its first line', async (t) => {
  const skip = await skipWithoutDevice();
  if (skip) return t.skip(skip);
  const gpu = new WebGpuBackend((await freshDevice())!);
  // A copy past the end of a buffer is a validation error.
  const x = gpu.ctx.tensor(4, 'float32');
  gpu.ctx.copy(x, x, 1 << 20);
  const why = await within(gpu.failed, 5000);
  assert.match(String(why), /^WebGPU error: /);
  assert.ok(!String(why).includes('\n'), 'one line');
});
