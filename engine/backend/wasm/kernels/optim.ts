/** The optimizers' in-place updates in WebAssembly, as the CPU backend calls them; false: use TypeScript. */
import type { AdamHyper, SgdHyper } from '../../backend';
import type { WasmKernels } from '../wasmKernels';
import { routing } from './elementwise';

const head = (a: Float32Array, n: number) => (a.length === n ? a : a.subarray(0, n));

export function sgdStep(w: WasmKernels, p: Float32Array, g: Float32Array, buf: Float32Array | null, size: number, h: SgdHyper): boolean {
  if (size < routing.minElements) return false;
  const mem = w.mem;
  mem.reset();
  const pp = mem.put(head(p, size)),
    pg = mem.put(head(g, size)),
    pb = buf ? mem.put(head(buf, size)) : 0;
  w.k.sgdStep(pp, pg, pb, size, h.lr, h.momentum, 1 - h.dampening, h.weightDecay, h.nesterov ? 1 : 0, h.first ? 1 : 0);
  mem.copyOut(pp, head(p, size));
  if (buf) mem.copyOut(pb, head(buf, size));
  return true;
}

export function adamStep(w: WasmKernels, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, size: number, h: AdamHyper): boolean {
  if (size < routing.minElements) return false;
  const mem = w.mem;
  mem.reset();
  const pp = mem.put(head(p, size)),
    pg = mem.put(head(g, size)),
    pm = mem.put(head(m, size)),
    pv = mem.put(head(v, size));
  const stepSize = h.lr / (1 - Math.pow(h.beta1, h.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, h.step));
  const decay = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
  w.k.adamStep(pp, pg, pm, pv, size, h.beta1, h.beta2, 1 - h.beta1, 1 - h.beta2, h.eps, h.weightDecay, h.decoupled ? 1 : 0, stepSize, bc2Sqrt, decay);
  mem.copyOut(pp, head(p, size));
  mem.copyOut(pm, head(m, size));
  mem.copyOut(pv, head(v, size));
  return true;
}
