// The engine's WebAssembly kernels: one module, built twice (plain SIMD and relaxed SIMD), each with a private
// and a shared-memory variant. Memory is imported: the JavaScript side owns the layout (operands, outputs and
// each thread's scratch) and copies tensors in and out.
export { gemm, gemmScratchBytes } from './gemm';
export { ceiling } from './ceiling';
export { unary, unaryBackward, binary, binaryBlock, axpby, scale } from './elementwise';
export { sumBlock, sumSquares, allFinite, addRowVector } from './reduce';
export { sgdStep, adamStep } from './optim';
export { conv2dForward, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
export { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from './pool';
export { summaryRange, summaryHistogram } from './summary';
