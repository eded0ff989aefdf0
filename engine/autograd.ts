/**
 * Reverse-mode automatic differentiation. An op that produces a tensor from inputs that need gradients
 * records a GradNode: its inputs and a closure mapping the output's gradient to the inputs' gradients.
 * backward() walks those records from the loss in reverse topological order, summing gradients where a
 * tensor feeds several ops, and leaves the result in .grad of the leaves that require it.
 */
import type { Tensor } from './tensor';
import { now } from './clock';

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * The graph node whose forward recorded this op (GraphModel.forward runs each node inside withScope), so the
   * primitive ops of the tape (a Linear is a matmul and a bias add) can be grouped, timed and shown per node.
   */
  readonly scope?: string;
  /** Gradients for each input (null where an input needs none), given the output's gradient. */
  backward(gradOutput: Tensor): readonly (Tensor | null)[];
}

let gradEnabled = true;
let currentScope: string | undefined;

/** Run fn with every op it records attributed to `scope` (a graph node's id). */
export function withScope<T>(scope: string, fn: () => T): T {
  const prev = currentScope;
  currentScope = scope;
  try {
    return fn();
  } finally {
    currentScope = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn without recording anything for autograd (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export async function noGradAsync<T>(fn: () => Promise<T>): Promise<T> {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return await fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Attach a backward rule to `out` when any input needs a gradient. Each op calls this right after its
 * forward, so the two sit side by side.
 */
export function record(op: string, inputs: readonly Tensor[], out: Tensor, backward: (gradOutput: Tensor) => readonly (Tensor | null)[]): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = currentScope === undefined ? { op, inputs, backward } : { op, inputs, backward, scope: currentScope };
  }
  return out;
}

/** Tensors reachable from root through gradFn, ordered so that every tensor comes after all its consumers. */
function reverseTopological(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep graphs must not overflow the call stack.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/** One op's backward as it ran: what came in, what went out to each input, and how long it took. */
export interface BackwardEvent {
  node: GradNode;
  /** The gradient of the loss with respect to the op's output. */
  gradOutput: Tensor;
  /** The gradients it sent to its inputs (null where an input needs none), in input order. */
  inputGrads: readonly (Tensor | null)[];
  /** Wall time of the op's backward rule, in milliseconds (now()). */
  ms: number;
}

export interface BackwardOptions {
  /** Keep the recorded graph so backward can run again (PyTorch's retain_graph). */
  retainGraph?: boolean;
  /** Called after each op's backward, in the order they run (profiling, the step walk-through). */
  observe?: (event: BackwardEvent) => void;
}

export function runBackward(root: Tensor, gradient: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) throw new Error('backward(): the tensor does not require grad (no parameter or input on its path needs a gradient)');
  const order = reverseTopological(root);
  const grads = new Map<Tensor, Tensor>([[root, gradient]]);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const fn = t.gradFn;
      if (!fn) {
        if (t.graphFreed)
          throw new Error('backward(): trying to backward through the graph a second time; pass { retainGraph: true } to the first backward() to keep it');
        t.accumulateGrad(g);
        continue;
      }
      if (t.retainsGrad) t.accumulateGrad(g);
      const started = opts.observe ? now() : 0;
      const inGrads = fn.backward(g);
      if (opts.observe) opts.observe({ node: fn, gradOutput: g, inputGrads: inGrads, ms: now() - started });
      for (let i = 0; i < fn.inputs.length; i++) {
        const x = fn.inputs[i];
        const gx = inGrads[i];
        if (!gx || !x.requiresGrad) continue;
        const prevG = grads.get(x);
        grads.set(x, prevG ? prevG.addSameShape(gx) : gx);
      }
      if (!opts.retainGraph) {
        t.gradFn = null;
        t.graphFreed = true;
      }
    }
  } finally {
    gradEnabled = prev;
  }
}
