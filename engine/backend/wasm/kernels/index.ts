/** The WebAssembly kernels, one file each, as the CPU backend calls them. */
export { matmul } from './matmul';
