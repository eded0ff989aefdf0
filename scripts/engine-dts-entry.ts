// Entry point for the engine's bundled type declarations (dist/engine.d.mts, see build-engine-dts.mjs):
// the public API of engine/index.ts, with the host globals engine/ declares for itself in scope.
/// <reference path="../engine/globals.d.ts" />
export * from '../engine/index';
