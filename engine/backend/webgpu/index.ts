/**
 * The WebGPU backend: the engine's Backend over a GPUDevice. Tensors live in GPU buffers across steps; kernels
 * are WGSL (./kernels, one file per family, as TF.js's backends); reading back is the only wait, and what the
 * engine reads (the loss, the finite check, the views' statistics) is reduced on the GPU first.
 */
import type { AdamHyper, Backend, Conv2dGeometry, DType, HostData, SgdHyper, Storage, UnaryOp, BinaryOp } from '../backend';
import type { Shape } from '../../shape';
import { GpuContext, GpuTensor } from './context';
import type { GpuDevice } from './gpu';
import * as ew from './kernels/elementwise';
import * as red from './kernels/reduce';
import * as mm from './kernels/matmul';
import * as sm from './kernels/softmax';
import * as conv from './kernels/conv';
import * as cp from './kernels/copy';
import * as opt from './kernels/optim';
import { readSummaries, recordSummaries } from './kernels/summary';
import type { TensorSummary } from '../summary';

const t = (s: Storage) => s as unknown as GpuTensor;
const st = (x: GpuTensor) => x as unknown as Storage;

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly floatPrecision = 'float32' as const;
  readonly ctx: GpuContext;

  /**
   * Resolves, with a one-line reason, when the device can no longer be trusted: it was lost (a driver reset, the
   * page hidden for long on some platforms), or an error no scope caught (an out-of-memory, an invalid command)
   * left the run's tensors undefined. A runner falls back to the CPU with the weights of the last completed step.
   */
  readonly failed: Promise<string>;

  constructor(device: GpuDevice) {
    this.ctx = new GpuContext(device);
    this.failed = new Promise<string>((resolve) => {
      void device.lost.then((info) => resolve(`the WebGPU device was lost${info.message ? `: ${info.message}` : ''}`));
      const onError = (e: { error: { message: string } }) => resolve(`WebGPU error: ${e.error.message.split('\n')[0]}`);
      if (device.addEventListener) device.addEventListener('uncapturederror', onError);
      else device.onuncapturederror = onError;
    });
  }

  upload(data: HostData): Storage {
    const ints = data instanceof Int32Array;
    const values = ints ? data : data instanceof Float32Array ? data : Float32Array.from(data);
    const x = this.ctx.tensor(values.length, ints ? 'int32' : 'float32');
    this.ctx.write(x, values);
    return st(x);
  }
  zeros(size: number, dtype: DType): Storage {
    return st(ew.fill(this.ctx, size, 0, dtype));
  }
  full(size: number, value: number): Storage {
    return st(ew.fill(this.ctx, size, value, 'float32'));
  }
  read(s: Storage): Promise<HostData> {
    return this.ctx.read(t(s));
  }
  readSync(): null {
    return null;
  }
  copy(s: Storage): Storage {
    const x = t(s);
    const y = this.ctx.tensor(x.size, x.dtype);
    this.ctx.copy(x, y, x.size * 4);
    return st(y);
  }
  cast(s: Storage, to: DType): Storage {
    return st(ew.cast(this.ctx, t(s), to));
  }

  unary(op: UnaryOp, x: Storage, size: number, param?: number): Storage {
    return st(ew.unary(this.ctx, op, t(x), size, param));
  }
  unaryBackward(op: UnaryOp, x: Storage, y: Storage, gy: Storage, size: number, param?: number): Storage {
    return st(ew.unaryBackward(this.ctx, op, t(x), t(y), t(gy), size, param));
  }
  binary(op: BinaryOp, a: Storage, aShape: Shape, b: Storage, bShape: Shape, outShape: Shape): Storage {
    return st(ew.binary(this.ctx, op, t(a), aShape, t(b), bShape, outShape));
  }
  axpby(a: Storage, alpha: number, b: Storage, beta: number, size: number): Storage {
    return st(ew.axpby(this.ctx, t(a), alpha, t(b), beta, size));
  }
  scale(x: Storage, alpha: number, size: number): Storage {
    return st(ew.scale(this.ctx, t(x), alpha, size));
  }
  sumTo(x: Storage, shape: Shape, to: Shape): Storage {
    return st(red.sumTo(this.ctx, t(x), shape, to));
  }
  sum(x: Storage, shape: Shape, axes: readonly number[]): Storage {
    return this.sumTo(
      x,
      shape,
      shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    );
  }
  broadcastTo(x: Storage, shape: Shape, outShape: Shape): Storage {
    return st(ew.broadcastTo(this.ctx, t(x), shape, outShape));
  }
  sumSquares(x: Storage, size: number): Storage {
    return st(red.sumSquares(this.ctx, t(x), size));
  }

  matmul(a: Storage, b: Storage, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean): Storage {
    return st(mm.matmul(this.ctx, t(a), t(b), batch, m, n, k, transA, transB));
  }
  addRowVector(x: Storage, bias: Storage, rows: number, cols: number): Storage {
    return st(ew.addRowVector(this.ctx, t(x), t(bias), rows, cols));
  }

  softmax(x: Storage, outer: number, dim: number, inner: number, log: boolean): Storage {
    return st(sm.softmax(this.ctx, t(x), outer, dim, inner, log));
  }
  softmaxBackward(y: Storage, gy: Storage, outer: number, dim: number, inner: number, log: boolean): Storage {
    return st(sm.softmaxBackward(this.ctx, t(y), t(gy), outer, dim, inner, log));
  }
  crossEntropy(logits: Storage, labels: Storage, n: number, c: number): Storage {
    return st(sm.crossEntropy(this.ctx, t(logits), t(labels), n, c));
  }
  crossEntropyBackward(logits: Storage, labels: Storage, gy: Storage, n: number, c: number): Storage {
    return st(sm.crossEntropyBackward(this.ctx, t(logits), t(labels), t(gy), n, c));
  }
  bceWithLogits(x: Storage, target: Storage, size: number): Storage {
    return st(sm.bceWithLogits(this.ctx, t(x), t(target), size));
  }
  bceWithLogitsBackward(x: Storage, target: Storage, gy: Storage, size: number): [Storage, Storage] {
    const [dx, dt] = sm.bceWithLogitsBackward(this.ctx, t(x), t(target), t(gy), size);
    return [st(dx), st(dt)];
  }

  conv2d(x: Storage, w: Storage, g: Conv2dGeometry, bias?: Storage | null): Storage {
    return st(conv.conv2d(this.ctx, t(x), t(w), g, bias ? t(bias) : null));
  }
  conv2dBackwardInput(gy: Storage, w: Storage, g: Conv2dGeometry): Storage {
    return st(conv.conv2dBackwardInput(this.ctx, t(gy), t(w), g));
  }
  conv2dBackwardWeight(gy: Storage, x: Storage, g: Conv2dGeometry): Storage {
    return st(conv.conv2dBackwardWeight(this.ctx, t(gy), t(x), g));
  }
  maxPool2d(x: Storage, g: Conv2dGeometry): { out: Storage; argmax: Storage } {
    const { out, argmax } = conv.maxPool2d(this.ctx, t(x), g);
    return { out: st(out), argmax: st(argmax) };
  }
  maxPool2dBackward(gy: Storage, argmax: Storage, g: Conv2dGeometry): Storage {
    return st(conv.maxPool2dBackward(this.ctx, t(gy), t(argmax), g));
  }
  avgPool2d(x: Storage, g: Conv2dGeometry): Storage {
    return st(conv.avgPool2d(this.ctx, t(x), g));
  }
  avgPool2dBackward(gy: Storage, g: Conv2dGeometry): Storage {
    return st(conv.avgPool2dBackward(this.ctx, t(gy), g));
  }

  concat(parts: readonly Storage[], outer: number, dims: readonly number[], inner: number): Storage {
    return st(cp.concat(this.ctx, parts.map(t), outer, dims, inner));
  }
  slice(x: Storage, outer: number, dim: number, inner: number, start: number, len: number): Storage {
    return st(cp.slice(this.ctx, t(x), outer, dim, inner, start, len));
  }
  gather(weight: Storage, indices: Storage, count: number, num: number, dim: number): Storage {
    return st(cp.gather(this.ctx, t(weight), t(indices), count, num, dim));
  }
  gatherBackward(gy: Storage, indices: Storage, count: number, num: number, dim: number): Storage {
    return st(cp.gatherBackward(this.ctx, t(gy), t(indices), count, num, dim));
  }

  sgdStep(p: Storage, g: Storage, buf: Storage | null, size: number, h: SgdHyper): void {
    opt.sgdStep(this.ctx, t(p), t(g), buf ? t(buf) : null, size, h);
  }
  adamStep(p: Storage, g: Storage, m: Storage, v: Storage, size: number, h: AdamHyper): void {
    opt.adamStep(this.ctx, t(p), t(g), t(m), t(v), size, h);
  }

  async idle(): Promise<void> {
    this.ctx.flush();
    await this.ctx.device.queue.onSubmittedWorkDone();
  }

  async summaries(tensors: readonly { x: Storage; size: number }[], bins: number): Promise<TensorSummary[]> {
    if (!tensors.length) return [];
    const { result, groups } = recordSummaries(
      this.ctx,
      tensors.map(({ x, size }) => ({ x: t(x), size })),
      bins,
    );
    const words = (await this.ctx.read(result)) as Int32Array;
    return readSummaries(
      words,
      tensors.map((s) => s.size),
      groups,
      bins,
    );
  }

  async allFinite(x: Storage, size: number): Promise<boolean> {
    const flag = await this.ctx.read(red.nonFinite(this.ctx, t(x), size));
    return flag[0] === 0;
  }

  async allFiniteEach(
    tensors: readonly { x: Storage; size: number }[],
    values: readonly { x: Storage; size: number }[] = [],
  ): Promise<{ finite: boolean[]; values: Float32Array[] }> {
    if (!tensors.length && !values.length) return { finite: [], values: [] };
    // The int32 flags first, then each part's first `size` values: concat copies bits, so both ride one buffer.
    const flags = tensors.map(({ x, size }) => red.nonFinite(this.ctx, t(x), size));
    const parts = [...flags, ...values.map((v) => t(v.x))];
    const dims = [...flags.map(() => 1), ...values.map((v) => v.size)];
    const all = parts.length === 1 && parts[0].size === dims[0] ? parts[0] : cp.concat(this.ctx, parts, 1, dims, 1);
    const words = await this.ctx.read(all);
    const floats = new Float32Array(words.buffer, words.byteOffset, words.length);
    let at = flags.length;
    return {
      finite: Array.from(new Int32Array(words.buffer, words.byteOffset, flags.length), (v) => v === 0),
      values: values.map((v) => floats.subarray(at, (at += v.size))),
    };
  }
}
