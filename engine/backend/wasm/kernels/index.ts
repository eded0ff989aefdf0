/** The WebAssembly kernels, one file each, as the CPU backend calls them. */
export { matmul } from './matmul';
export { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
export { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from './pool';
