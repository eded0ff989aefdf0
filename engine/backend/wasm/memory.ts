/**
 * The kernels' linear memory as the JavaScript side lays it out: a fixed scratch area per thread (packing
 * buffers), then an arena that each kernel call fills from the start with its operands and results. Tensors
 * live in ordinary typed arrays (the CPU backend's storage); a call copies its inputs in and its output out,
 * which costs a memcpy against the kernel's O(n·k) work. The arena is reused, so memory stays flat: it grows to
 * the largest call's size and stays there.
 */
import type { WasmMemory } from './webassembly';

const PAGE = 65536;
const RESERVED = PAGE; // the module's own statics and stack live below this
const ALIGN = 64;

const up = (n: number, to: number) => Math.ceil(n / to) * to;

export class KernelMemory {
  private f32View: Float32Array;
  private i32View: Int32Array;
  private viewOf: ArrayBufferLike;
  readonly scratchBytes: number;
  private readonly arenaStart: number;
  private top: number;

  constructor(
    readonly memory: WasmMemory,
    scratchBytesPerThread: number,
    readonly threads: number,
  ) {
    this.scratchBytes = up(scratchBytesPerThread, ALIGN);
    this.arenaStart = up(RESERVED + threads * this.scratchBytes, ALIGN);
    this.top = this.arenaStart;
    this.ensure(this.arenaStart);
    this.viewOf = memory.buffer;
    this.f32View = new Float32Array(this.viewOf);
    this.i32View = new Int32Array(this.viewOf);
  }

  /** The scratch area private to thread t (0 is the calling thread). */
  scratch(t: number): number {
    return RESERVED + t * this.scratchBytes;
  }

  /** Starts a kernel call: the arena is empty again. */
  reset(): void {
    this.top = this.arenaStart;
  }

  alloc(bytes: number): number {
    const p = this.top;
    this.top = up(p + Math.max(bytes, 4), ALIGN);
    this.ensure(this.top);
    return p;
  }

  /** Copies x into the arena; returns its byte offset. */
  put(x: Float32Array | Int32Array): number {
    const p = this.alloc(x.byteLength);
    (x instanceof Int32Array ? this.i32() : this.f32()).set(x, p >> 2);
    return p;
  }

  /** A zero-filled float buffer of n values in the arena. */
  zeros(n: number): number {
    const p = this.alloc(n * 4);
    this.f32().fill(0, p >> 2, (p >> 2) + n);
    return p;
  }

  /** A fresh Float32Array (not a view of this memory) holding the n floats at p. */
  takeF32(p: number, n: number): Float32Array {
    return this.f32().slice(p >> 2, (p >> 2) + n);
  }

  takeI32(p: number, n: number): Int32Array {
    return this.i32().slice(p >> 2, (p >> 2) + n);
  }

  /** Copies the n floats at p into dst (in place updates: optimizer steps). */
  copyOut(p: number, dst: Float32Array): void {
    dst.set(this.f32().subarray(p >> 2, (p >> 2) + dst.length));
  }

  f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  /** Views are remade after the memory grows (a private memory's old buffer is detached by growing). */
  private refresh(): void {
    const buf = this.memory.buffer;
    if (buf !== this.viewOf || this.f32View.length * 4 !== buf.byteLength) {
      this.viewOf = buf;
      this.f32View = new Float32Array(buf);
      this.i32View = new Int32Array(buf);
    }
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    // Grow by at least a quarter so a run of slightly larger calls does not grow page by page.
    const want = Math.max(up(bytes, PAGE), up(have * 1.25, PAGE));
    try {
      this.memory.grow((want - have) / PAGE);
    } catch {
      this.memory.grow((up(bytes, PAGE) - have) / PAGE);
    }
  }
}
