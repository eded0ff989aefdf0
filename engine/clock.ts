/**
 * A monotonic clock in milliseconds for the engine's profiling hooks: the host's performance.now(), present in
 * Node, workers and browsers alike (the engine's types include neither the DOM nor Node, hence the cast).
 */
const perf = (globalThis as unknown as { performance: { now(): number } }).performance;

export const now = (): number => perf.now();
