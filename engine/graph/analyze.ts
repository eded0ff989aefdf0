/**
 * Validation and static shape inference of a model file, before anything runs. Every problem becomes a
 * GraphError naming the node, edge, port or key at fault; shapes are inferred for every node whose
 * inputs are sound, so the editor can show them even while other parts of the graph are broken.
 */
import '../layers';
import type { DType } from '../backend/backend';
import { checkAttr, safeStringify, type Attrs } from './attrs';
import { allOps, getOp, portNames, resolveAttrs, ShapeRuleError, type OpSpec, type ParamSpec } from './registry';
import { boundInputId, featureList, inputFeaturesProblems, INPUT_FEATURES_KEY, readInputFeatures } from '../data/features';
import { FORMAT, FORMAT_VERSION, formatType, type EdgeJson, type GraphError, type ModelJson, type NodeJson, type TensorType } from './types';
import { findCycle, onCycleMessage, topologicalOrder } from './algorithms';

export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * What the engine accepts. `activationBytes` is a run-time budget (the batch is known only then): the
 * bytes of every node's output in one pass, checked by GraphModel.forward and the Trainer (activations.ts).
 */
export const LIMITS = { nodes: 10_000, edges: 50_000, paramElements: 1 << 27, totalParamElements: 1 << 28, activationBytes: 2 ** 30 };

export interface ParamInfo extends ParamSpec {
  /** `<nodeId>.<name>`, PyTorch's state-dict key. */
  key: string;
}

export interface NodeInfo {
  id: string;
  index: number;
  json: NodeJson;
  spec?: OpSpec;
  attrs: Attrs;
  /** Source node id per input port (undefined where unconnected). */
  inputs: (string | undefined)[];
  /** Edge index per input port. */
  inputEdges: (number | undefined)[];
  type?: TensorType;
  params: ParamInfo[];
  paramCount: number;
}

export interface GraphAnalysis {
  model: ModelJson | null;
  errors: GraphError[];
  nodes: Map<string, NodeInfo>;
  /** Topological order (valid when there is no cycle). */
  order: string[];
  /** Static type carried by each edge (by index in model.edges). */
  edgeTypes: (TensorType | undefined)[];
  losses: string[];
  outputs: string[];
  sinks: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => {
  const s = safeStringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
};
const nodeLabel = (n: { id: string; spec?: OpSpec }) => `node "${n.id}"${n.spec ? ` (${n.spec.op})` : ''}`;

/**
 * What a dtype mismatch is fed by, and the fix when the source declares its dtype (an Input or a Target):
 * `; Target y gives float32 [N]: set its dtype to int32`.
 */
function dtypeSource(src: NodeInfo | undefined, want: DType | undefined): string {
  if (!src?.type || !src.spec) return '';
  const given = `${src.type.dtype} [${src.type.shape.join(', ')}]`;
  const settable = want !== undefined && src.spec.attrs.some((a) => a.name === 'dtype');
  return `; ${src.spec.op} ${src.id} gives ${given}${settable ? `: set its dtype to ${want}` : ''}`;
}

/** A registered op the name was probably meant to be: same letters in another case, or at most 2 edits away. */
function closestOp(name: string): string | undefined {
  if (name.length > 40) return undefined;
  const ops = allOps().map((s) => s.op);
  const lower = name.toLowerCase();
  const same = ops.find((op) => op.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestD = 3;
  for (const op of ops) {
    const d = editDistance(lower, op.toLowerCase());
    if (d < bestD) [best, bestD] = [op, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Parse model bytes or text; a JSON syntax error becomes a bad-json GraphError. */
export function parseModel(input: string | Uint8Array): { model: unknown; error?: GraphError } {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  try {
    return { model: JSON.parse(text) };
  } catch (e) {
    return { model: null, error: { code: 'bad-json', message: `the model file is not valid JSON: ${(e as Error).message}` } };
  }
}

export function analyzeModel(input: string | Uint8Array | unknown): GraphAnalysis {
  let raw: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const p = parseModel(input);
    if (p.error) return emptyAnalysis([p.error]);
    raw = p.model;
  }
  return analyze(raw);
}

function emptyAnalysis(errors: GraphError[], model: ModelJson | null = null): GraphAnalysis {
  return { model, errors, nodes: new Map(), order: [], edgeTypes: [], losses: [], outputs: [], sinks: [] };
}

function analyze(raw: unknown): GraphAnalysis {
  const errors: GraphError[] = [];
  if (!isObj(raw)) return emptyAnalysis([{ code: 'bad-format', message: `the model must be a JSON object, found ${show(raw)}` }]);
  if (raw.format !== FORMAT) return emptyAnalysis([{ code: 'bad-format', key: 'format', message: `"format" must be "${FORMAT}", found ${show(raw.format)}` }]);
  if (typeof raw.version !== 'number' || !Number.isInteger(raw.version) || raw.version < 1) {
    return emptyAnalysis([{ code: 'bad-format', key: 'version', message: `"version" must be a positive integer, found ${show(raw.version)}` }]);
  }
  if (raw.version > FORMAT_VERSION) {
    return emptyAnalysis([
      {
        code: 'unsupported-version',
        key: 'version',
        message: `the model is format version ${raw.version}, newer than this version of Backprop Studio reads (${FORMAT_VERSION}); update Backprop Studio to open it`,
      },
    ]);
  }
  if (!Array.isArray(raw.nodes)) return emptyAnalysis([{ code: 'bad-format', key: 'nodes', message: `"nodes" must be an array, found ${show(raw.nodes)}` }]);
  if (raw.edges !== undefined && !Array.isArray(raw.edges))
    return emptyAnalysis([{ code: 'bad-format', key: 'edges', message: `"edges" must be an array, found ${show(raw.edges)}` }]);
  if (raw.nodes.length > LIMITS.nodes)
    return emptyAnalysis([{ code: 'too-large', key: 'nodes', message: `the model has ${raw.nodes.length} nodes; at most ${LIMITS.nodes} are supported` }]);
  const edgesRaw = (raw.edges ?? []) as unknown[];
  if (edgesRaw.length > LIMITS.edges)
    return emptyAnalysis([{ code: 'too-large', key: 'edges', message: `the model has ${edgesRaw.length} edges; at most ${LIMITS.edges} are supported` }]);
  if (raw.name !== undefined && typeof raw.name !== 'string')
    errors.push({ code: 'bad-format', key: 'name', message: `"name" must be a string, found ${show(raw.name)}` });
  if (raw.weights !== undefined && (typeof raw.weights !== 'string' || raw.weights.length === 0)) {
    errors.push({ code: 'bad-format', key: 'weights', message: `"weights" must name a .safetensors file relative to the model, found ${show(raw.weights)}` });
  }
  const model = raw as unknown as ModelJson;

  // Nodes: ids, ops, attributes.
  const nodes = new Map<string, NodeInfo>();
  /** Ids of nodes dropped for an invalid id, with their index: edges naming them say so. */
  const rejected = new Map<string, number>();
  raw.nodes.forEach((n: unknown, index: number) => {
    if (!isObj(n))
      return errors.push({ code: 'bad-node', key: `nodes[${index}]`, message: `nodes[${index}] must be an object with "id" and "op", found ${show(n)}` });
    const id = n.id;
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || id.length > 128) {
      if (typeof id === 'string' && !rejected.has(id)) rejected.set(id, index);
      return errors.push({
        code: 'invalid-id',
        key: `nodes[${index}].id`,
        nodeId: typeof id === 'string' ? id : undefined,
        message: `nodes[${index}]: id ${show(id)} is not a valid identifier (letters, digits and _, not starting with a digit, at most 128 characters)`,
      });
    }
    if (nodes.has(id))
      return errors.push({
        code: 'duplicate-id',
        nodeId: id,
        key: `nodes[${index}].id`,
        message: `node id "${id}" is used by more than one node (nodes[${nodes.get(id)!.index}] and nodes[${index}])`,
      });
    const info: NodeInfo = { id, index, json: n as unknown as NodeJson, attrs: {}, inputs: [], inputEdges: [], params: [], paramCount: 0 };
    nodes.set(id, info);
    if (typeof n.op !== 'string')
      return errors.push({ code: 'unknown-op', nodeId: id, message: `node "${id}": "op" must be a string naming an op, found ${show(n.op)}` });
    const spec = getOp(n.op);
    if (!spec) {
      const near = closestOp(n.op);
      return errors.push({
        code: 'unknown-op',
        nodeId: id,
        found: n.op.slice(0, 60),
        ...(near ? { expected: near } : {}),
        message: `node "${id}": unknown op "${n.op.slice(0, 60)}"${near ? ` (did you mean "${near}"?)` : ''}`,
      });
    }
    info.spec = spec;
    if (n.attrs !== undefined && !isObj(n.attrs))
      return errors.push({ code: 'bad-attr', nodeId: id, message: `${nodeLabel(info)}: "attrs" must be an object, found ${show(n.attrs)}` });
    if (n.ui !== undefined && !isObj(n.ui))
      errors.push({ code: 'bad-node', nodeId: id, message: `${nodeLabel(info)}: "ui" must be an object, found ${show(n.ui)}` });
    const given = (n.attrs ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(given)) {
      if (!spec.attrs.some((a) => a.name === key)) {
        const known = spec.attrs.map((a) => a.name).join(', ') || 'none';
        errors.push({
          code: 'unknown-attr',
          nodeId: id,
          attr: key,
          message: `${nodeLabel(info)}: unknown attribute "${key.slice(0, 60)}" (${spec.op} takes: ${known})`,
        });
      }
    }
    for (const a of spec.attrs) {
      const v = given[a.name];
      if (v === undefined || v === null) {
        if (a.default === undefined && !a.optional)
          errors.push({
            code: 'missing-attr',
            nodeId: id,
            attr: a.name,
            expected: a.doc,
            message: `${nodeLabel(info)}: missing attribute "${a.name}" (${a.doc})`,
          });
        continue;
      }
      const problem = checkAttr(a.type, v);
      if (problem) {
        // checkAttr says "must be <what>, found <value>": <what> is what was expected.
        const expected = /^(?:must|may) (?:be |hold |have )?(.*?), found /.exec(problem)?.[1];
        errors.push({
          code: 'bad-attr',
          nodeId: id,
          attr: a.name,
          found: show(v),
          ...(expected ? { expected } : {}),
          message: `${nodeLabel(info)}: attribute "${a.name}" ${problem}`,
        });
      }
    }
    info.attrs = resolveAttrs(spec, given);
  });

  // Edges: endpoints, ports.
  const edges: (EdgeJson | null)[] = edgesRaw.map((e, edgeIndex) => {
    if (!isObj(e)) {
      errors.push({ code: 'bad-edge', edgeIndex, message: `edges[${edgeIndex}] must be an object with "from" and "to", found ${show(e)}` });
      return null;
    }
    for (const end of ['from', 'to'] as const) {
      if (typeof e[end] !== 'string') {
        errors.push({ code: 'bad-edge', edgeIndex, message: `edges[${edgeIndex}]: "${end}" must be a node id, found ${show(e[end])}` });
        return null;
      }
      if (!nodes.has(e[end] as string)) {
        const name = String(e[end]).slice(0, 60);
        const bad = rejected.get(e[end] as string);
        errors.push({
          code: 'unknown-node',
          edgeIndex,
          found: name,
          message:
            bad === undefined
              ? `edges[${edgeIndex}]: "${end}" names no node: "${name}"`
              : `edges[${edgeIndex}]: "${end}" names "${name}", which is not a valid node id (nodes[${bad}])`,
        });
        return null;
      }
    }
    const port = e.port ?? 0;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0) {
      errors.push({
        code: 'port-out-of-range',
        edgeIndex,
        nodeId: e.to as string,
        expected: 'a non-negative integer',
        found: show(e.port),
        message: `edges[${edgeIndex}] (${e.from} → ${e.to}): port must be a non-negative integer, found ${show(e.port)}`,
      });
      return null;
    }
    return { from: e.from as string, to: e.to as string, port };
  });

  edges.forEach((e, edgeIndex) => {
    if (!e) return;
    const target = nodes.get(e.to)!;
    const spec = target.spec;
    if (!spec) return;
    const port = e.port ?? 0;
    const where = `edges[${edgeIndex}] (${e.from} → ${e.to}, port ${port})`;
    if ('ports' in spec.inputs && port >= spec.inputs.ports.length) {
      const n = spec.inputs.ports.length;
      errors.push({
        // An edge into a source node is an input too many; past a fixed op's ports, the port is out of range.
        code: n === 0 ? 'extra-input' : 'port-out-of-range',
        edgeIndex,
        nodeId: e.to,
        port,
        expected: n === 0 ? 'no inputs' : `ports 0..${n - 1}`,
        found: String(port),
        message:
          n === 0
            ? `${where}: ${spec.op} node "${e.to}" takes no inputs`
            : `${where}: ${spec.op} node "${e.to}" has ${n} input port${n > 1 ? 's' : ''} (${spec.inputs.ports.map((p, i) => `${i} ${p}`).join(', ')}), not port ${port}`,
      });
      return;
    }
    if (port >= 64) {
      errors.push({
        code: 'port-out-of-range',
        edgeIndex,
        nodeId: e.to,
        port,
        expected: 'ports 0..63',
        found: String(port),
        message: `${where}: ${spec.op} node "${e.to}" takes at most 64 inputs (ports 0..63), not port ${port}`,
      });
      return;
    }
    if (target.inputs[port] !== undefined) {
      errors.push({
        code: 'port-taken',
        edgeIndex,
        nodeId: e.to,
        port,
        message: `${where}: port ${port} of node "${e.to}" is already fed by "${target.inputs[port]}" (edges[${target.inputEdges[port]}])`,
      });
      return;
    }
    target.inputs[port] = e.from;
    target.inputEdges[port] = edgeIndex;
  });

  // Every port fed, no gaps.
  for (const n of nodes.values()) {
    const spec = n.spec;
    if (!spec) continue;
    const expected = 'ports' in spec.inputs ? spec.inputs.ports.length : Math.max(spec.inputs.min, n.inputs.length);
    const names = portNames(spec, expected);
    for (let p = 0; p < expected; p++) {
      if (n.inputs[p] === undefined) {
        const variadicGap = !('ports' in spec.inputs) && p < n.inputs.length;
        errors.push({
          code: 'missing-input',
          nodeId: n.id,
          port: p,
          message: variadicGap
            ? `${nodeLabel(n)}: input port ${p} is not connected, but a later port is (inputs must use ports 0..n-1 with no gaps)`
            : `${nodeLabel(n)}: input port ${p} (${names[p]}) is not connected${'variadic' in spec.inputs ? ` (${spec.op} needs at least ${spec.inputs.min} inputs)` : ''}`,
        });
      }
    }
  }

  // Topological order; nodes it cannot place are on a cycle or downstream of one, and each node on the cycle
  // is named. Every edge of the file counts, including those in error for another reason (a taken or
  // out-of-range port): the file still says one node feeds the other.
  const ids = [...nodes.keys()];
  const liveEdges = edges.filter((e): e is EdgeJson => !!e);
  const order = topologicalOrder(ids, liveEdges);
  const cycle = order.length < nodes.size ? findCycle(ids, liveEdges) : null;
  for (const id of cycle?.slice(0, -1) ?? []) {
    errors.push({ code: 'cycle', nodeId: id, message: onCycleMessage(nodeLabel(nodes.get(id)!), cycle!) });
  }

  // Shapes and parameters, in order.
  const edgeTypes: (TensorType | undefined)[] = new Array(edges.length).fill(undefined);
  let totalParams = 0;
  const inError = new Set(errors.filter((e) => e.nodeId !== undefined && e.code !== 'cycle').map((e) => e.nodeId));
  for (const id of order) {
    const n = nodes.get(id)!;
    const spec = n.spec;
    if (!spec || inError.has(id)) continue;
    const inTypes = n.inputs.map((src) => (src === undefined ? undefined : nodes.get(src)!.type));
    if (inTypes.some((t) => t === undefined)) continue; // an upstream problem, reported there
    try {
      n.type = spec.infer(inTypes as TensorType[], n.attrs);
      const ps = spec.params?.(inTypes as TensorType[], n.attrs) ?? [];
      n.params = ps.map((p) => ({ ...p, key: `${id}.${p.name}` }));
      n.paramCount = ps.filter((p) => !p.buffer).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
      for (const p of n.params) {
        const size = p.shape.reduce((a, b) => a * b, 1);
        totalParams += size;
        if (size > LIMITS.paramElements)
          throw new ShapeRuleError(`${p.key} would have ${size} values [${p.shape.join(', ')}]; at most ${LIMITS.paramElements} per tensor are supported`);
      }
      if (totalParams > LIMITS.totalParamElements) throw new ShapeRuleError(`the model would have more than ${LIMITS.totalParamElements} parameter values`);
    } catch (e) {
      if (!(e instanceof ShapeRuleError)) throw e;
      n.type = undefined;
      const tooLarge = /at most \d+ (per tensor|parameter)|more than \d+ parameter/.test(e.message);
      // A one-input op's shape rule is always about its input: pin it to port 0 and its edge.
      const port = e.port ?? (n.inputs.length === 1 && !tooLarge ? 0 : undefined);
      const edgeIndex = port !== undefined ? n.inputEdges[port] : undefined;
      errors.push({
        code: tooLarge ? 'too-large' : e.code,
        nodeId: id,
        port,
        edgeIndex,
        found: inTypes.map((t) => formatType(t)).join(', '),
        message: `${nodeLabel(n)}: ${e.message}${e.code === 'dtype-mismatch' && port !== undefined ? dtypeSource(nodes.get(n.inputs[port]!), e.wantDtype) : ''}`,
      });
    }
  }
  edges.forEach((e, i) => {
    if (e) edgeTypes[i] = nodes.get(e.from)?.type;
  });

  // Losses and outputs.
  const fed = new Set(edges.filter((e): e is EdgeJson => !!e).map((e) => e.from));
  const losses = order.filter((id) => nodes.get(id)!.spec?.isLoss);
  const sinks = order.filter((id) => !fed.has(id) && !nodes.get(id)!.spec?.isSource && !nodes.get(id)!.spec?.isLoss);
  const outputs = losses.length > 0 ? [...new Set(losses.map((l) => nodes.get(l)!.inputs[0]).filter((x): x is string => !!x))] : sinks;

  checkParams(raw.params, nodes, errors);
  checkTraining(raw.training, errors);
  checkInputFeatures(raw.training, nodes, errors);
  return { model, errors, nodes, order, edgeTypes, losses, outputs, sinks };
}

function checkParams(params: unknown, nodes: Map<string, NodeInfo>, errors: GraphError[]): void {
  if (params === undefined) return;
  if (!isObj(params)) {
    errors.push({ code: 'bad-params', key: 'params', message: `"params" must be an object of tensors keyed "<nodeId>.<name>", found ${show(params)}` });
    return;
  }
  const all = new Map<string, ParamInfo>();
  for (const n of nodes.values()) for (const p of n.params) all.set(p.key, p);
  for (const [key, t] of Object.entries(params)) {
    const nodeId = key.split('.')[0];
    const p = all.get(key);
    const node = nodes.get(nodeId);
    if (!p) {
      if (node && !node.type) continue; // the node has its own error; its params are unknown
      errors.push({
        code: 'bad-params',
        key,
        nodeId: node ? nodeId : undefined,
        message: `params["${key.slice(0, 80)}"] names no parameter of the model${node ? ` (${nodeId} has: ${node.params.map((q) => q.name).join(', ') || 'none'})` : ''}`,
      });
      continue;
    }
    if (!isObj(t) || !Array.isArray(t.shape) || !Array.isArray(t.data)) {
      errors.push({ code: 'bad-params', key, nodeId, message: `params["${key}"] must be { "shape": [...], "data": [...] }` });
      continue;
    }
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      errors.push({
        code: 'bad-params',
        key,
        nodeId,
        expected: `[${p.shape.join(', ')}]`,
        found: show(t.shape),
        message: `params["${key}"] has shape ${show(t.shape)} but the model needs [${p.shape.join(', ')}]`,
      });
      continue;
    }
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) {
      errors.push({ code: 'bad-params', key, nodeId, message: `params["${key}"] has ${t.data.length} values but shape [${p.shape.join(', ')}] needs ${size}` });
      continue;
    }
    const bad = t.data.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0)
      errors.push({ code: 'bad-params', key, nodeId, message: `params["${key}"].data[${bad}] must be a finite number, found ${show(t.data[bad])}` });
  }
}

const OPTIMIZERS = ['SGD', 'Adam', 'AdamW'];

function checkTraining(training: unknown, errors: GraphError[]): void {
  if (training === undefined) return;
  const err = (key: string, message: string) => errors.push({ code: 'bad-training', key, message });
  if (!isObj(training)) return void err('training', `"training" must be an object, found ${show(training)}`);
  if (training.seed !== undefined && !(typeof training.seed === 'number' && Number.isSafeInteger(training.seed) && training.seed >= 0)) {
    err('training.seed', `training.seed must be a non-negative integer, found ${show(training.seed)}`);
  }
  if (training.l1 !== undefined && !(typeof training.l1 === 'number' && Number.isFinite(training.l1) && training.l1 >= 0)) {
    err('training.l1', `training.l1 must be a non-negative number (the L1 penalty's rate), found ${show(training.l1)}`);
  }
  const o = training.optimizer;
  if (o === undefined) return;
  if (!isObj(o)) return void err('training.optimizer', `training.optimizer must be an object, found ${show(o)}`);
  if (!OPTIMIZERS.includes(o.type as string))
    err('training.optimizer.type', `training.optimizer.type must be one of ${OPTIMIZERS.join(', ')}, found ${show(o.type)}`);
  const num = (k: string, ok: (v: number) => boolean, what: string) => {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && Number.isFinite(o[k]) && ok(o[k] as number)))
      err(`training.optimizer.${k}`, `training.optimizer.${k} must be ${what}, found ${show(o[k])}`);
  };
  num('lr', (v) => v > 0, 'a positive number');
  num('momentum', (v) => v >= 0, 'a non-negative number');
  num('dampening', (v) => v >= 0 && v <= 1, 'between 0 and 1');
  num('weightDecay', (v) => v >= 0, 'a non-negative number');
  num('eps', (v) => v > 0, 'a positive number');
  if (o.type === 'SGD' && o.lr === undefined) err('training.optimizer.lr', 'training.optimizer.lr is required for SGD');
  if (o.nesterov !== undefined && typeof o.nesterov !== 'boolean')
    err('training.optimizer.nesterov', `training.optimizer.nesterov must be true or false, found ${show(o.nesterov)}`);
  if (o.nesterov === true && !((o.momentum as number) > 0)) err('training.optimizer.nesterov', 'training.optimizer.nesterov needs a momentum greater than 0');
  if (o.betas !== undefined && !(Array.isArray(o.betas) && o.betas.length === 2 && o.betas.every((b) => typeof b === 'number' && b >= 0 && b < 1))) {
    err('training.optimizer.betas', `training.optimizer.betas must be [beta1, beta2] with each in [0, 1), found ${show(o.betas)}`);
  }
}

/**
 * training.dataset.inputFeatures: sound names for a 2-D set, and an Input that takes exactly that many
 * values per sample (the panel sets both in one edit; a hand edit can make them disagree).
 */
function checkInputFeatures(training: unknown, nodes: Map<string, NodeInfo>, errors: GraphError[]): void {
  const dataset = isObj(training) ? training.dataset : undefined;
  for (const message of inputFeaturesProblems(dataset)) errors.push({ code: 'bad-training', key: INPUT_FEATURES_KEY, message });
  const features = readInputFeatures(training);
  if (!features) return;
  const inputs = [...nodes.values()].filter((n) => n.spec?.op === 'Input').map((n) => n.id);
  const id = boundInputId(training, inputs);
  const input = id === undefined ? undefined : nodes.get(id);
  if (!input?.type || input.spec?.op !== 'Input') return; // the binding's own problem, reported when training starts
  const sample = input.type.shape.slice(1) as number[];
  const size = sample.reduce((a, b) => a * b, 1);
  const k = features.length;
  const found = `[${sample.join(', ')}]`;
  if (size !== k || input.type.dtype !== 'float32') {
    errors.push({
      code: 'bad-training',
      key: INPUT_FEATURES_KEY,
      nodeId: id,
      attr: 'shape',
      expected: `float32 [${k}]`,
      found: `${input.type.dtype} ${found}`,
      message: `Input "${id}" is ${input.type.dtype} ${found} but ${INPUT_FEATURES_KEY} gives it ${k} float32 value${k === 1 ? '' : 's'} per sample (${featureList(features)}): set its shape to [${k}]${input.type.dtype === 'float32' ? '' : ' and its dtype to float32'}`,
    });
  }
}
