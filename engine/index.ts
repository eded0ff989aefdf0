/**
 * Backprop Studio's autograd engine: tensors, ops with their backward rules, optimizers, the graph
 * compiler for *.nn.json models and safetensors I/O. Pure TypeScript with no dependencies: it runs in
 * Node, in worker threads and in the browser, and reads and writes bytes, never paths.
 */
import { setBackend } from './backend/backend';
import { CpuBackend } from './backend/cpu';

setBackend(new CpuBackend());

export { Tensor, type TensorData } from './tensor';
export { noGrad, noGradAsync, isGradEnabled, record, type GradNode } from './autograd';
export { setBackend, backend, type Backend, type DType, type Storage } from './backend/backend';
export { CpuBackend } from './backend/cpu';
export * from './shape';
export * from './ops';
export { Random } from './nn/random';
export * as init from './nn/init';
export { Optimizer } from './optim/optimizer';
export { SGD, type SgdOptions } from './optim/sgd';
export { Adam, AdamW, type AdamOptions } from './optim/adam';
