/**
 * One WebGPU device as the backend drives it: compiled pipelines cached by their WGSL, tensors' buffers recycled
 * through a pool, many dispatches recorded into one command encoder and submitted in batches, and each dispatch's
 * few scalar parameters written into one shared arena (a slot per dispatch) uploaded once per batch.
 */
import {
  BufferUsage,
  MapMode,
  type GpuBindGroup,
  type GpuBuffer,
  type GpuCommandEncoder,
  type GpuComputePass,
  type GpuComputePipeline,
  type GpuDevice,
} from './gpu';

/** Threads per workgroup of the one-dimensional kernels. */
export const WORKGROUP = 256;
/** Bytes of one dispatch's parameters: the storage-offset alignment every adapter supports. */
const SLOT_BYTES = 256;
const SLOT_WORDS = SLOT_BYTES / 4;
/** Dispatches recorded before the batch is submitted, so the GPU starts while the engine is still recording. */
const BATCH = 512;
/** Bind groups kept for reuse; past this the cache starts over (a step needs a few hundred). */
const MAX_BIND_GROUPS = 4096;

/** A dispatch's scalar parameters, in the order its WGSL `Params` struct declares them: u32, i32 or f32. */
export type Param = { u: number } | { i: number } | { f: number };
export const u = (v: number): Param => ({ u: v });
export const i = (v: number): Param => ({ i: v });
export const f = (v: number): Param => ({ f: v });

/** A tensor's memory on the device: its buffer (from the pool) and its element count and type. */
export class GpuTensor {
  constructor(
    readonly buffer: GpuBuffer,
    readonly size: number,
    readonly dtype: 'float32' | 'int32',
  ) {}
}

export class GpuContext {
  private readonly pipelines = new Map<string, GpuComputePipeline>();
  /** Free buffers by byte size: a step allocates the same sizes as the last, so exact sizes are reused. */
  private readonly free = new Map<number, GpuBuffer[]>();
  /** Returns a tensor's buffer to the pool once the tensor is unreachable (the engine never frees tensors itself). */
  private readonly reclaim: FinalizationRegistry<GpuBuffer>;
  private encoder: GpuCommandEncoder | null = null;
  private pass: GpuComputePass | null = null;
  private dispatches = 0;
  private readonly arena: GpuBuffer;
  private readonly words = new Uint32Array(BATCH * SLOT_WORDS);
  private readonly ints = new Int32Array(this.words.buffer);
  private readonly floats = new Float32Array(this.words.buffer);
  /** Buffers released while recorded commands may still use them: pooled after the batch is submitted. */
  private retiring: GpuBuffer[] = [];
  private readonly groups_ = new Map<string, GpuBindGroup>();
  private readonly codeIds = new Map<string, number>();
  private readonly bufferIds = new WeakMap<GpuBuffer, number>();
  private nextBufferId = 0;
  /** Mappable buffers for reading back, by size: a step reads the same few sizes every time. */
  private readonly staging = new Map<number, GpuBuffer[]>();
  /** Bytes held by live tensors and by the pool (for the memory figures the views show). */
  allocatedBytes = 0;
  /** Reads, and bytes read back to the host, so far: what training and the views cost in transfers (tests check them). */
  reads = 0;
  bytesRead = 0;

  constructor(readonly device: GpuDevice) {
    this.arena = device.createBuffer({ size: BATCH * SLOT_BYTES, usage: BufferUsage.STORAGE | BufferUsage.COPY_DST, label: 'dispatch parameters' });
    this.reclaim = new FinalizationRegistry((buffer) => this.retiring.push(buffer));
  }

  /** A pipeline for WGSL source with entry point `main`, compiled once. */
  pipeline(code: string): GpuComputePipeline {
    let p = this.pipelines.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(code, p);
    }
    return p;
  }

  /** A new tensor of `size` elements; its contents are undefined (every kernel writes all of its output). */
  tensor(size: number, dtype: 'float32' | 'int32'): GpuTensor {
    const bytes = Math.max(16, Math.ceil((size * 4) / 16) * 16);
    const pooled = this.free.get(bytes)?.pop();
    const buffer = pooled ?? this.device.createBuffer({ size: bytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
    if (!pooled) this.allocatedBytes += bytes;
    const t = new GpuTensor(buffer, size, dtype);
    this.reclaim.register(t, buffer);
    return t;
  }

  /** Records one dispatch of `code` over `workgroups` with the given buffers bound at 1, 2, … and its parameters at 0. */
  dispatch(code: string, buffers: readonly GpuTensor[], params: readonly Param[], workgroups: number | [number, number, number]): void {
    const pipeline = this.pipeline(code);
    if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    const slot = this.dispatches++;
    const base = slot * SLOT_WORDS;
    params.forEach((p, k) => {
      if ('u' in p) this.words[base + k] = p.u;
      else if ('i' in p) this.ints[base + k] = p.i;
      else this.floats[base + k] = p.f;
    });
    const group = this.bindGroup(code, pipeline, slot, buffers);
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    const [x, y, z] = typeof workgroups === 'number' ? [workgroups, 1, 1] : workgroups;
    if (x > 0 && y > 0 && z > 0) this.pass.dispatchWorkgroups(x, y, z);
    if (this.dispatches === BATCH) this.flush();
  }

  /**
   * The bind group of a dispatch: its parameters' slot and its tensors' buffers. A training step dispatches the same
   * kernels over the same pooled buffers in the same order every step, so most groups are found again.
   */
  private bindGroup(code: string, pipeline: GpuComputePipeline, slot: number, buffers: readonly GpuTensor[]): GpuBindGroup {
    const key = `${this.codeId(code)}:${slot}:${buffers.map((t) => this.bufferId(t.buffer)).join(',')}`;
    let group = this.groups_.get(key);
    if (!group) {
      if (this.groups_.size >= MAX_BIND_GROUPS) this.groups_.clear();
      const entries = [
        { binding: 0, resource: { buffer: this.arena, offset: slot * SLOT_BYTES, size: SLOT_BYTES } },
        ...buffers.map((t, k) => ({ binding: k + 1, resource: { buffer: t.buffer } })),
      ];
      group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      this.groups_.set(key, group);
    }
    return group;
  }

  private codeId(code: string): number {
    let id = this.codeIds.get(code);
    if (id === undefined) this.codeIds.set(code, (id = this.codeIds.size));
    return id;
  }

  private bufferId(b: GpuBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = this.nextBufferId++));
    return id;
  }

  /** Workgroups for `n` threads of WORKGROUP each, capped where the kernel loops over the rest (grid-stride). */
  groups(n: number): number {
    return Math.min(Math.ceil(n / WORKGROUP), this.device.limits.maxComputeWorkgroupsPerDimension);
  }

  /** Submits what is recorded: the parameters first (queue order puts the write before the commands). */
  flush(): void {
    if (this.pass) {
      this.pass.end();
      this.device.queue.writeBuffer(this.arena, 0, this.words, 0, this.dispatches * SLOT_WORDS);
      this.device.queue.submit([this.encoder!.finish()]);
      this.pass = null;
      this.encoder = null;
      this.dispatches = 0;
    }
    // Tensors collected before this submit are no longer used by any command recorded after it.
    for (const b of this.retiring.splice(0)) {
      const list = this.free.get(b.size) ?? [];
      list.push(b);
      this.free.set(b.size, list);
    }
  }

  /** Records a copy between tensors' buffers (ends the current pass: copies live outside compute passes). */
  copy(src: GpuTensor, dst: GpuTensor, bytes: number): void {
    if (bytes === 0) return;
    this.flush();
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, Math.ceil(bytes / 4) * 4);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Uploads host values into a tensor's buffer (queued after everything recorded so far). */
  write(t: GpuTensor, data: Float32Array | Int32Array): void {
    this.flush();
    if (data.length) this.device.queue.writeBuffer(t.buffer, 0, data);
  }

  /** Reads a tensor back: submits what is recorded, copies it to a mappable buffer and waits for the map. */
  async read(t: GpuTensor): Promise<Float32Array | Int32Array> {
    const bytes = Math.max(4, t.size * 4);
    const staging = this.staging.get(bytes)?.pop() ?? this.device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    this.flush();
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(t.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MapMode.READ);
    const copy = staging.getMappedRange().slice(0, t.size * 4);
    this.reads++;
    this.bytesRead += t.size * 4;
    staging.unmap();
    const free = this.staging.get(bytes) ?? [];
    // A few per size are plenty: reads of one size rarely overlap.
    if (free.length < 4) {
      free.push(staging);
      this.staging.set(bytes, free);
    } else staging.destroy();
    return t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
  }
}
