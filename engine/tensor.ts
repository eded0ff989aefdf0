/** The Tensor: a shape, a dtype, backend storage, and what autograd needs (requiresGrad, grad, gradFn). */
import { backend, type DType, type HostData, type Storage } from './backend/backend';
import { runBackward, type BackwardOptions, type GradNode } from './autograd';
import { formatShape, sizeOf, type Shape } from './shape';

/** A tensor's values on the host: Float64Array only for float tensors of a float64 backend (the gradient check's). */
export type TensorData = HostData;

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  storage: Storage;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  gradFn: GradNode | null = null;
  /** Set once backward has freed the op record that produced this tensor. */
  graphFreed = false;
  /** Keep .grad on a non-leaf tensor too (PyTorch's retain_grad()). */
  retainsGrad = false;
  /** A parameter's or node's name, for messages. */
  name?: string;

  constructor(storage: Storage, shape: Shape, dtype: DType = 'float32', requiresGrad = false) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.requiresGrad = requiresGrad;
  }

  static fromData(data: ArrayLike<number>, shape: Shape, dtype: DType = 'float32', requiresGrad = false): Tensor {
    const n = sizeOf(shape);
    if (data.length !== n) throw new Error(`tensor data has ${data.length} values but shape ${formatShape(shape)} needs ${n}`);
    const arr = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    return new Tensor(backend().upload(arr), shape, dtype, requiresGrad);
  }

  static zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
    return new Tensor(backend().zeros(sizeOf(shape), dtype), shape, dtype);
  }

  static full(shape: Shape, value: number): Tensor {
    return new Tensor(backend().full(sizeOf(shape), value), shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Values, read back from the backend (async so a GPU backend can map its buffers). */
  data(): Promise<TensorData> {
    return backend().read(this.storage);
  }

  /** Values, synchronously; only backends with host memory (the CPU) support it. */
  dataSync(): TensorData {
    const d = backend().readSync(this.storage);
    if (!d) throw new Error(`dataSync(): the ${backend().name} backend reads back asynchronously; use await tensor.data()`);
    return d;
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item(): tensor has ${this.size} elements, not 1`);
    return (await this.data())[0];
  }

  itemSync(): number {
    if (this.size !== 1) throw new Error(`item(): tensor has ${this.size} elements, not 1`);
    return this.dataSync()[0];
  }

  /** Back-propagate from this tensor. A scalar gets the gradient 1, as in PyTorch. */
  backward(gradient?: Tensor, opts?: BackwardOptions): void {
    if (!gradient && this.size !== 1)
      throw new Error(`backward(): grad can be implicitly created only for scalar outputs; this tensor has shape ${formatShape(this.shape)}`);
    runBackward(this, gradient ?? Tensor.full(this.shape, 1), opts);
  }

  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /** Same storage, cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.dtype, false);
  }

  /** A new tensor with its own copy of the values. */
  clone(): Tensor {
    return new Tensor(backend().copy(this.storage), this.shape, this.dtype, false);
  }

  /** Internal: add g to .grad (leaves and retained tensors). */
  accumulateGrad(g: Tensor): void {
    this.grad = this.grad ? this.grad.addSameShape(g) : g;
  }

  /** Internal: the gradient accumulator's add, without autograd. */
  addSameShape(other: Tensor): Tensor {
    return new Tensor(backend().axpby(this.storage, 1, other.storage, 1, this.size), this.shape, this.dtype);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}
