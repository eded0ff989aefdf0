// The WebGPU runner's worker, bundled into a string by esbuild.mjs (the plugin that resolves `bps:gpu-worker`).
declare module 'bps:gpu-worker' {
  const source: string;
  export default source;
}
