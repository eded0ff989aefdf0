/** The WebAssembly kernels, one file each, as the CPU backend calls them. */
export { matmul } from './matmul';
export { unary, unaryBackward, binary, axpby, scale } from './elementwise';
export { sumTo, sumSquares, allFinite, addRowVector } from './reduce';
export { sgdStep, adamStep } from './optim';
export { routing } from './elementwise';
export { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
export { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from './pool';
export { tensorSummary } from './summary';
