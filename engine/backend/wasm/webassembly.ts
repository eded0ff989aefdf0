/**
 * The part of the WebAssembly JavaScript API the kernels use. The engine compiles against plain ES2022 (no DOM,
 * no Node types), where the `WebAssembly` global is not declared, so it is typed here and read off globalThis.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: object };
  validate(bytes: Uint8Array): boolean;
}

/** The runtime's WebAssembly, or null where there is none. */
export function webAssembly(): WasmApi | null {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}
