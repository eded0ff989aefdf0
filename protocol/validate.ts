/**
 * Checks every message the graph editor's webview sends before the extension host acts on it.
 *
 * Everything a webview posts is untrusted: a bug, or script injected into the page, can send anything the
 * structured-clone algorithm can carry. So every field is checked against protocol/messages.ts: types,
 * node ids (the engine's ID_PATTERN, at most 128 characters), finite numbers in sane ranges, string
 * lengths, array and record sizes (the engine's LIMITS), and no keys beyond those the protocol names.
 *
 * Hand-written rather than a schema library, on purpose:
 * - bounded work: a size is checked before anything is walked, and only the known, fixed-depth shapes are
 *   walked, so a huge array, a record with millions of keys or an object nested a million deep costs O(1)
 *   (a generic schema library parses every element before it checks `max`);
 * - the result is built fresh from the checked fields only, in null-prototype records, so keys such as
 *   `__proto__` or `constructor` are plain data and nothing the webview sent is passed on by reference;
 * - it uses the engine's own rules (ID_PATTERN, LIMITS) and adds no dependency.
 * Semantic checks that need the document (does the node exist, would the edge make a cycle, is the
 * attribute valid for the op) happen where the edit is applied: extension/document/graphEdits.ts.
 */
import { ID_PATTERN, LIMITS } from '../engine/graph/analyze';
import { INPUT_FEATURES } from '../engine/data/features';
import type { AttrValue, EdgeJson, NodeJson } from '../engine/graph/types-public';
import type { EpochMetrics } from '../engine/train/trainer';
import type { OptimizerState } from '../engine/optim/optimizer';
import {
  MAX_BATCH_EDITS,
  OVERLAY_MODES,
  TRAINING_PACES,
  type FromWorker,
  type GpuRunMessage,
  type RunnerCheckpoint,
  type RunnerLost,
  type GraphEdit,
  type UiPrefs,
  type Position,
  type TrainingControlMessage,
  type TrainingPaceMessage,
  type TrainingValue,
  type WebviewMessage,
} from './messages';

export type ParseResult = { ok: true; msg: WebviewMessage } | { ok: false; error: string };

/** Sizes and ranges a well-behaved webview stays far inside. */
export const MESSAGE_LIMITS = {
  /** Nodes in one addNodes / deleteElements / moveNodes (the engine's cap on a model). */
  nodes: LIMITS.nodes,
  /** Edges in one addNodes / deleteElements. */
  edges: LIMITS.edges,
  idLength: 128,
  nameLength: 200,
  attrNameLength: 64,
  attrStringLength: 256,
  attrArrayLength: 16,
  /** Attributes on one node, keys in one `ui`. */
  keys: 32,
  /** |x|, |y| of a node position. */
  coordinate: 1e7,
  /** A port index (the engine caps variadic ops at 64 inputs). */
  port: 63,
  /** Strings in `ui` beyond x and y. */
  uiStringLength: 200,
  /** setTraining: keys in the path, nesting and size of the value, its strings (a CSV path) and lists. */
  trainingPath: 4,
  trainingDepth: 4,
  trainingValues: 256,
  trainingString: 1024,
  trainingArray: 64,
  /** Edits in one batch (each checked as if it came alone). */
  batchEdits: MAX_BATCH_EDITS,
  /** A batch's label (what the change does, named in a refusal). */
  batchLabel: 200,
  /** The WebGPU runner's messages: a run's id, its weights (safetensors bytes), epochs of history, texts. */
  runId: 2 ** 31,
  weightsBytes: 1024 * 1024 * 1024,
  epochs: 100_000,
  runnerText: 4000,
  /** Parameters an optimizer's state lists (the engine's cap on a model's nodes, a few tensors each). */
  optimizerParams: 4 * LIMITS.nodes,
  /** Class names and per-feature statistics a CSV run learned. */
  classes: 10_000,
  features: 1_000_000,
  adapterLength: 300,
  /** The views' payloads (statistics, traces, weight images): items in all, and how deep. */
  viewItems: 4_000_000,
  viewDepth: 12,
} as const;

class Invalid extends Error {}

const fail = (where: string, what: string): never => {
  throw new Invalid(`${where}: ${what}`);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Own enumerable keys, refusing more than `max` without listing them all. */
function ownKeys(v: Record<string, unknown>, max: number, where: string): string[] {
  const keys: string[] = [];
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (keys.length >= max) fail(where, `more than ${max} keys`);
    keys.push(k);
  }
  return keys;
}

function object(v: unknown, where: string, allowed: readonly string[], required: readonly string[] = allowed): Record<string, unknown> {
  if (!isPlainObject(v)) fail(where, `must be an object, found ${describe(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of ownKeys(o, allowed.length, where)) if (!allowed.includes(k)) fail(where, `unexpected key ${quote(k)}`);
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(o, k)) fail(where, `missing "${k}"`);
  return o;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 37) + '...' : s);
}

function string(v: unknown, where: string, maxLength: number): string {
  if (typeof v !== 'string') fail(where, `must be a string, found ${describe(v)}`);
  const s = v as string;
  if (s.length > maxLength) fail(where, `must be at most ${maxLength} characters, found ${s.length}`);
  return s;
}

function nodeId(v: unknown, where: string): string {
  const s = string(v, where, MESSAGE_LIMITS.idLength);
  if (!ID_PATTERN.test(s)) fail(where, `${quote(s)} is not a valid node id (letters, digits and _, not starting with a digit)`);
  return s;
}

function finite(v: unknown, where: string, maxAbs: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `must be a finite number, found ${describe(v)}`);
  const n = v as number;
  if (Math.abs(n) > maxAbs) fail(where, `must be between -${maxAbs} and ${maxAbs}, found ${n}`);
  return n;
}

function integer(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(where, `must be an integer, found ${describe(v)}`);
  const n = v as number;
  if (n < min || n > max) fail(where, `must be between ${min} and ${max}, found ${n}`);
  return n;
}

function array(v: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(where, `must be an array, found ${describe(v)}`);
  const a = v as unknown[];
  if (a.length > max) fail(where, `may hold at most ${max} items, found ${a.length}`);
  return a;
}

/** number | boolean | string | number[]: the shapes an attribute value can take (the op decides which). */
function attrValue(v: unknown, where: string): AttrValue {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return finite(v, where, Number.MAX_VALUE);
  if (typeof v === 'string') return string(v, where, MESSAGE_LIMITS.attrStringLength);
  if (Array.isArray(v)) {
    const a = array(v, where, MESSAGE_LIMITS.attrArrayLength);
    const out: number[] = [];
    for (let i = 0; i < a.length; i++) out.push(finite(a[i], `${where}[${i}]`, Number.MAX_VALUE));
    return out;
  }
  return fail(where, `must be a number, boolean, string or array of numbers, found ${describe(v)}`);
}

function attrName(v: unknown, where: string): string {
  const s = string(v, where, MESSAGE_LIMITS.attrNameLength);
  if (!ID_PATTERN.test(s)) fail(where, `${quote(s)} is not an attribute name`);
  return s;
}

function position(v: unknown, where: string): Position {
  const o = object(v, where, ['x', 'y']);
  return { x: finite(o.x, `${where}.x`, MESSAGE_LIMITS.coordinate), y: finite(o.y, `${where}.y`, MESSAGE_LIMITS.coordinate) };
}

/** A record in a null-prototype object: keys such as `__proto__` stay plain data. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function node(v: unknown, where: string): NodeJson {
  const o = object(v, where, ['id', 'op', 'attrs', 'ui'], ['id', 'op']);
  const out: NodeJson = { id: nodeId(o.id, `${where}.id`), op: opName(o.op, `${where}.op`) };
  if (o.attrs !== undefined) {
    if (!isPlainObject(o.attrs)) fail(`${where}.attrs`, `must be an object, found ${describe(o.attrs)}`);
    const src = o.attrs as Record<string, unknown>;
    const attrs = dict<unknown>();
    for (const k of ownKeys(src, MESSAGE_LIMITS.keys, `${where}.attrs`)) attrs[attrName(k, `${where}.attrs key`)] = attrValue(src[k], `${where}.attrs.${k}`);
    out.attrs = attrs;
  }
  if (o.ui !== undefined) {
    if (!isPlainObject(o.ui)) fail(`${where}.ui`, `must be an object, found ${describe(o.ui)}`);
    const src = o.ui as Record<string, unknown>;
    const ui = dict<unknown>() as NonNullable<NodeJson['ui']>;
    for (const k of ownKeys(src, MESSAGE_LIMITS.keys, `${where}.ui`)) {
      const w = `${where}.ui.${attrName(k, `${where}.ui key`)}`;
      const x = src[k];
      if (k === 'x' || k === 'y') ui[k] = finite(x, w, MESSAGE_LIMITS.coordinate);
      else if (typeof x === 'boolean') ui[k] = x;
      else if (typeof x === 'number') ui[k] = finite(x, w, MESSAGE_LIMITS.coordinate);
      else ui[k] = string(x, w, MESSAGE_LIMITS.uiStringLength);
    }
    out.ui = ui;
  }
  return out;
}

function edge(v: unknown, where: string): EdgeJson {
  const o = object(v, where, ['from', 'to', 'port'], ['from', 'to']);
  const out: EdgeJson = { from: nodeId(o.from, `${where}.from`), to: nodeId(o.to, `${where}.to`) };
  if (o.port !== undefined) out.port = integer(o.port, `${where}.port`, 0, MESSAGE_LIMITS.port);
  return out;
}

/** A JSON value the training panel writes: bounded in depth and in size as a whole. */
function trainingValue(v: unknown, where: string): TrainingValue {
  let budget: number = MESSAGE_LIMITS.trainingValues;
  const walk = (x: unknown, w: string, depth: number): TrainingValue => {
    if (--budget < 0) fail(where, `may hold at most ${MESSAGE_LIMITS.trainingValues} values`);
    if (typeof x === 'boolean') return x;
    if (typeof x === 'number') return finite(x, w, Number.MAX_VALUE);
    if (typeof x === 'string') return string(x, w, MESSAGE_LIMITS.trainingString);
    if (Array.isArray(x)) {
      const a = array(x, w, MESSAGE_LIMITS.trainingArray);
      const out: number[] = [];
      for (let i = 0; i < a.length; i++) out.push(finite(a[i], `${w}[${i}]`, Number.MAX_VALUE));
      return out;
    }
    if (isPlainObject(x)) {
      if (depth >= MESSAGE_LIMITS.trainingDepth) fail(w, `may nest at most ${MESSAGE_LIMITS.trainingDepth} objects deep`);
      const out = dict<TrainingValue>();
      for (const k of ownKeys(x, MESSAGE_LIMITS.keys, w)) out[attrName(k, `${w} key`)] = walk(x[k], `${w}.${k}`, depth + 1);
      return out;
    }
    return fail(w, `must be a number, boolean, string, list of numbers or object, found ${describe(x)}`);
  };
  return walk(v, where, 0);
}

function opName(v: unknown, where: string): string {
  const s = string(v, where, 64);
  if (!ID_PATTERN.test(s)) fail(where, `${quote(s)} is not an op name`);
  return s;
}

/** One edit; `inBatch` when it is an item of a batch, which may hold neither a batch nor a rename. */
function graphEdit(v: unknown, where: string, inBatch = false): GraphEdit {
  if (!isPlainObject(v)) fail(where, `must be an object, found ${describe(v)}`);
  const kind = (v as Record<string, unknown>).kind;
  if (inBatch && kind === 'batch') fail(`${where}.kind`, 'a batch cannot hold another batch');
  if (inBatch && kind === 'renameNode') fail(`${where}.kind`, 'a batch cannot rename a node (a rename copies the node’s weights; send it alone)');
  switch (kind) {
    case 'addNodes': {
      const o = object(v, where, ['kind', 'nodes', 'edges']);
      const nodes = array(o.nodes, `${where}.nodes`, MESSAGE_LIMITS.nodes).map((n, i) => node(n, `${where}.nodes[${i}]`));
      if (nodes.length === 0) fail(`${where}.nodes`, 'must hold at least one node');
      const edges = array(o.edges, `${where}.edges`, MESSAGE_LIMITS.edges).map((e, i) => edge(e, `${where}.edges[${i}]`));
      return { kind, nodes, edges };
    }
    case 'moveNodes': {
      const o = object(v, where, ['kind', 'positions']);
      if (!isPlainObject(o.positions)) fail(`${where}.positions`, `must be an object, found ${describe(o.positions)}`);
      const src = o.positions as Record<string, unknown>;
      const positions = dict<Position>();
      const keys = ownKeys(src, MESSAGE_LIMITS.nodes, `${where}.positions`);
      if (keys.length === 0) fail(`${where}.positions`, 'must hold at least one node');
      for (const k of keys) positions[nodeId(k, `${where}.positions key`)] = position(src[k], `${where}.positions.${k}`);
      return { kind, positions };
    }
    case 'deleteElements': {
      const o = object(v, where, ['kind', 'nodeIds', 'edges']);
      const nodeIds = array(o.nodeIds, `${where}.nodeIds`, MESSAGE_LIMITS.nodes).map((id, i) => nodeId(id, `${where}.nodeIds[${i}]`));
      const edges = array(o.edges, `${where}.edges`, MESSAGE_LIMITS.edges).map((e, i) => edge(e, `${where}.edges[${i}]`));
      if (nodeIds.length === 0 && edges.length === 0) fail(where, 'deletes nothing');
      return { kind, nodeIds, edges };
    }
    case 'connect': {
      const o = object(v, where, ['kind', 'edge']);
      return { kind, edge: edge(o.edge, `${where}.edge`) };
    }
    case 'setInput': {
      const o = object(v, where, ['kind', 'nodeId', 'port', 'source']);
      return {
        kind,
        nodeId: nodeId(o.nodeId, `${where}.nodeId`),
        port: integer(o.port, `${where}.port`, 0, MESSAGE_LIMITS.port),
        source: o.source === null ? null : nodeId(o.source, `${where}.source`),
      };
    }
    case 'setAttr': {
      const o = object(v, where, ['kind', 'nodeId', 'attr', 'value']);
      return {
        kind,
        nodeId: nodeId(o.nodeId, `${where}.nodeId`),
        attr: attrName(o.attr, `${where}.attr`),
        value: o.value === null ? null : attrValue(o.value, `${where}.value`),
      };
    }
    case 'renameNode': {
      const o = object(v, where, ['kind', 'from', 'to']);
      return { kind, from: nodeId(o.from, `${where}.from`), to: nodeId(o.to, `${where}.to`) };
    }
    case 'setName': {
      const o = object(v, where, ['kind', 'name']);
      return { kind, name: string(o.name, `${where}.name`, MESSAGE_LIMITS.nameLength) };
    }
    case 'setTraining': {
      const o = object(v, where, ['kind', 'path', 'value']);
      const path = array(o.path, `${where}.path`, MESSAGE_LIMITS.trainingPath).map((k, i) => attrName(k, `${where}.path[${i}]`));
      if (path.length === 0) fail(`${where}.path`, 'must name at least one key');
      return { kind, path, value: o.value === null ? null : trainingValue(o.value, `${where}.value`) };
    }
    case 'setInputFeatures': {
      const o = object(v, where, ['kind', 'features']);
      if (o.features === null) return { kind, features: null };
      const list = array(o.features, `${where}.features`, INPUT_FEATURES.length);
      if (list.length === 0) fail(`${where}.features`, 'must name at least one feature, or be null for the raw x1, x2');
      const features = list.map((f, i) => {
        const name = string(f, `${where}.features[${i}]`, MESSAGE_LIMITS.attrNameLength);
        if (!INPUT_FEATURES.includes(name)) fail(`${where}.features[${i}]`, `${quote(name)} is not an input feature (${INPUT_FEATURES.join(', ')})`);
        return name;
      });
      return { kind, features };
    }
    case 'setOp': {
      const o = object(v, where, ['kind', 'nodeId', 'op']);
      return { kind, nodeId: nodeId(o.nodeId, `${where}.nodeId`), op: opName(o.op, `${where}.op`) };
    }
    case 'batch': {
      const o = object(v, where, ['kind', 'label', 'edits']);
      const label = string(o.label, `${where}.label`, MESSAGE_LIMITS.batchLabel);
      const items = array(o.edits, `${where}.edits`, MESSAGE_LIMITS.batchEdits);
      if (items.length === 0) fail(`${where}.edits`, 'must hold at least one edit');
      return { kind, label, edits: items.map((e, i) => graphEdit(e, `${where}.edits[${i}]`, true)) };
    }
    default:
      return fail(`${where}.kind`, typeof kind === 'string' ? `unknown edit ${quote(kind)}` : `must name an edit, found ${describe(kind)}`);
  }
}

const PREF_FLAGS = ['legendOpen', 'minimapOpen', 'depthProfileOpen'] as const;

/** Some of the view preferences: booleans, and the overlay mode by name. */
function uiPrefs(v: unknown, where: string): UiPrefs {
  const o = object(v, where, [...PREF_FLAGS, 'overlayMode'], []);
  const out: UiPrefs = {};
  for (const k of PREF_FLAGS) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'boolean') fail(`${where}.${k}`, `must be true or false, found ${describe(o[k])}`);
    out[k] = o[k] as boolean;
  }
  if (o.overlayMode !== undefined) {
    if (!(OVERLAY_MODES as readonly unknown[]).includes(o.overlayMode))
      fail(
        `${where}.overlayMode`,
        `must be one of ${OVERLAY_MODES.join(', ')}, found ${typeof o.overlayMode === 'string' ? quote(o.overlayMode) : describe(o.overlayMode)}`,
      );
    out.overlayMode = o.overlayMode as UiPrefs['overlayMode'];
  }
  return out;
}

const RUNNABLE = ['train', 'stopTraining', 'exportTypeScript'] as const;
const TRAINING_ACTIONS = ['start', 'pause', 'resume', 'step', 'stepEpoch', 'walk', 'stop', 'reset'] as const;

// Adding a message or an edit to protocol/messages.ts without a check here is a compile error.
const CHECKED_MESSAGES: Record<WebviewMessage['type'], true> = {
  ready: true,
  edit: true,
  openAsText: true,
  runCommand: true,
  trainingControl: true,
  trainingPace: true,
  trainingAck: true,
  setUiPrefs: true,
  watchNode: true,
  checkGradients: true,
  gpuAdapter: true,
  gpuRun: true,
};
// Likewise for what the WebGPU runner relays.
const CHECKED_RUNNER_MESSAGES: Record<FromWorker['type'] | RunnerLost['type'] | RunnerCheckpoint['type'], true> = {
  started: true,
  progress: true,
  epoch: true,
  gradients: true,
  boundary: true,
  nodeStats: true,
  stepCosts: true,
  walkthrough: true,
  weights: true,
  datasetPoints: true,
  paused: true,
  resumed: true,
  finished: true,
  nonFinite: true,
  failed: true,
  runnerLost: true,
  checkpoint: true,
};
void CHECKED_RUNNER_MESSAGES;
const CHECKED_EDITS: Record<GraphEdit['kind'], true> = {
  addNodes: true,
  moveNodes: true,
  deleteElements: true,
  connect: true,
  setInput: true,
  setAttr: true,
  renameNode: true,
  setName: true,
  setTraining: true,
  setInputFeatures: true,
  setOp: true,
  batch: true,
};
void CHECKED_MESSAGES;
void CHECKED_EDITS;

/** A checked copy of a message from the webview, or why it was refused. Never throws. */
export function parseWebviewMessage(raw: unknown): ParseResult {
  try {
    if (!isPlainObject(raw)) fail('message', `must be an object, found ${describe(raw)}`);
    const type = (raw as Record<string, unknown>).type;
    switch (type) {
      case 'ready':
        object(raw, 'ready', ['type']);
        return { ok: true, msg: { type } };
      case 'openAsText':
        object(raw, 'openAsText', ['type']);
        return { ok: true, msg: { type } };
      case 'trainingAck':
        object(raw, 'trainingAck', ['type']);
        return { ok: true, msg: { type } };
      case 'runCommand': {
        const o = object(raw, 'runCommand', ['type', 'command']);
        const command = o.command;
        if (typeof command !== 'string' || !(RUNNABLE as readonly string[]).includes(command)) {
          fail('runCommand.command', `must be one of ${RUNNABLE.join(', ')}, found ${typeof command === 'string' ? quote(command) : describe(command)}`);
        }
        return { ok: true, msg: { type, command: command as (typeof RUNNABLE)[number] } };
      }
      case 'trainingControl': {
        const o = object(raw, 'trainingControl', ['type', 'action']);
        const action = o.action;
        if (typeof action !== 'string' || !(TRAINING_ACTIONS as readonly string[]).includes(action)) {
          fail(
            'trainingControl.action',
            `must be one of ${TRAINING_ACTIONS.join(', ')}, found ${typeof action === 'string' ? quote(action) : describe(action)}`,
          );
        }
        return { ok: true, msg: { type, action: action as TrainingControlMessage['action'] } };
      }
      case 'trainingPace': {
        const o = object(raw, 'trainingPace', ['type', 'stepsPerSecond']);
        const pace = o.stepsPerSecond;
        if (pace !== null && !(TRAINING_PACES as readonly unknown[]).includes(pace)) {
          fail('trainingPace.stepsPerSecond', `must be one of ${TRAINING_PACES.join(', ')} or null (as fast as possible), found ${describe(pace)}`);
        }
        return { ok: true, msg: { type, stepsPerSecond: pace as TrainingPaceMessage['stepsPerSecond'] } };
      }
      case 'watchNode': {
        const o = object(raw, 'watchNode', ['type', 'nodeId']);
        return { ok: true, msg: { type, nodeId: o.nodeId === null ? null : nodeId(o.nodeId, 'watchNode.nodeId') } };
      }
      case 'setUiPrefs': {
        const o = object(raw, 'setUiPrefs', ['type', 'prefs']);
        return { ok: true, msg: { type, prefs: uiPrefs(o.prefs, 'setUiPrefs.prefs') } };
      }
      case 'checkGradients': {
        const o = object(raw, 'checkGradients', ['type', 'nodeId'], ['type']);
        return { ok: true, msg: o.nodeId === undefined ? { type } : { type, nodeId: nodeId(o.nodeId, 'checkGradients.nodeId') } };
      }
      case 'gpuAdapter': {
        const o = object(raw, 'gpuAdapter', ['type', 'adapter', 'why'], ['type', 'adapter']);
        const adapter = o.adapter === null ? null : string(o.adapter, 'gpuAdapter.adapter', MESSAGE_LIMITS.adapterLength);
        return { ok: true, msg: { type, adapter, ...(o.why !== undefined ? { why: string(o.why, 'gpuAdapter.why', MESSAGE_LIMITS.runnerText) } : {}) } };
      }
      case 'gpuRun': {
        const o = object(raw, 'gpuRun', ['type', 'runId', 'message']);
        return {
          ok: true,
          msg: { type, runId: integer(o.runId, 'gpuRun.runId', 0, MESSAGE_LIMITS.runId), message: runnerMessage(o.message, 'gpuRun.message') },
        };
      }
      case 'edit': {
        const o = object(raw, 'edit', ['type', 'version', 'edit']);
        const version = integer(o.version, 'edit.version', 0, Number.MAX_SAFE_INTEGER);
        return { ok: true, msg: { type, version, edit: graphEdit(o.edit, 'edit.edit') } };
      }
      default:
        return fail('message.type', typeof type === 'string' ? `unknown message type ${quote(type)}` : `must be a string, found ${describe(type)}`);
    }
  } catch (e) {
    // Invalid is ours; anything else (a getter that throws, a revoked proxy in a test) is refused the same way.
    return { ok: false, error: e instanceof Invalid ? e.message : `unreadable message (${e instanceof Error ? e.name : typeof e})` };
  }
}

// ---------------------------------------------------------------------------------------------
// The WebGPU runner's messages (webview/gpu/): what the host's session acts on is checked field by field (steps,
// losses, history, weights, the boundary grid); what it only passes on to the views (statistics, traces, weight
// images, costs) is copied as bounded plain data, and the webview checks it again when it comes back (webview/host.ts).

const bool = (v: unknown, where: string): boolean => (typeof v === 'boolean' ? v : fail(where, `must be true or false, found ${describe(v)}`));
const count = (v: unknown, where: string): number => integer(v, where, 0, Number.MAX_SAFE_INTEGER);
/** A loss or metric: finite, or NaN/±Infinity as a diverging run reports them. */
const metric = (v: unknown, where: string): number => (typeof v === 'number' ? v : fail(where, `must be a number, found ${describe(v)}`));

function weightsBytes(v: unknown, where: string): Uint8Array {
  if (!(v instanceof Uint8Array)) fail(where, `must be bytes (a Uint8Array), found ${describe(v)}`);
  const b = v as Uint8Array;
  if (b.byteLength > MESSAGE_LIMITS.weightsBytes) fail(where, `must be at most ${MESSAGE_LIMITS.weightsBytes} bytes, found ${b.byteLength}`);
  return b.slice();
}

function epochMetrics(v: unknown, where: string): EpochMetrics {
  const o = object(v, where, ['epoch', 'trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy'], ['epoch', 'trainLoss']);
  const m: EpochMetrics = { epoch: integer(o.epoch, `${where}.epoch`, 0, MESSAGE_LIMITS.epochs), trainLoss: metric(o.trainLoss, `${where}.trainLoss`) };
  for (const k of ['trainAccuracy', 'valLoss', 'valAccuracy'] as const) if (o[k] !== undefined) m[k] = metric(o[k], `${where}.${k}`);
  return m;
}

const history = (v: unknown, where: string): EpochMetrics[] => array(v, where, MESSAGE_LIMITS.epochs).map((m, i) => epochMetrics(m, `${where}[${i}]`));

/**
 * A deep copy of plain data (objects, arrays, numbers, strings, booleans, null, typed arrays) within a budget of
 * items and depth shared by the whole message, so a huge or deeply nested payload costs bounded work.
 */
function plainData(v: unknown, where: string, budget = { items: MESSAGE_LIMITS.viewItems }, depth = 0): unknown {
  if (--budget.items < 0) fail(where, `holds more than ${MESSAGE_LIMITS.viewItems} items`);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return string(v, where, MESSAGE_LIMITS.runnerText);
  if (depth >= MESSAGE_LIMITS.viewDepth) fail(where, `is nested more than ${MESSAGE_LIMITS.viewDepth} deep`);
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array || v instanceof Uint8Array) {
    budget.items -= v.length;
    if (budget.items < 0) fail(where, `holds more than ${MESSAGE_LIMITS.viewItems} items`);
    return v.slice();
  }
  if (Array.isArray(v)) {
    if (v.length > budget.items) fail(where, `holds more than ${MESSAGE_LIMITS.viewItems} items`);
    return v.map((x, i) => plainData(x, `${where}[${i}]`, budget, depth + 1));
  }
  if (!isPlainObject(v)) fail(where, `must be plain data, found ${describe(v)}`);
  const out = dict<unknown>();
  for (const k of ownKeys(v as Record<string, unknown>, Math.max(0, budget.items), where))
    out[k] = plainData((v as Record<string, unknown>)[k], `${where}.${k}`, budget, depth + 1);
  return out;
}

/** An optimizer's state (engine/optim/optimizer.ts): per parameter null, or its step count and Float32Array buffers. */
function optimizerState(v: unknown, where: string): OptimizerState {
  const o = object(v, where, ['kind', 'params']);
  let values = MESSAGE_LIMITS.weightsBytes / 4;
  const params = array(o.params, `${where}.params`, MESSAGE_LIMITS.optimizerParams).map((e, i) => {
    const w = `${where}.params[${i}]`;
    if (e === null) return null;
    const p = object(e, w, ['step', 'buffers'], ['buffers']);
    const b = p.buffers;
    if (!isPlainObject(b)) fail(`${w}.buffers`, `must be an object, found ${describe(b)}`);
    const buffers = dict<Float32Array>();
    for (const k of ownKeys(b as Record<string, unknown>, 4, `${w}.buffers`)) {
      const x = (b as Record<string, unknown>)[k];
      if (!(x instanceof Float32Array)) fail(`${w}.buffers.${k}`, `must be a Float32Array, found ${describe(x)}`);
      values -= (x as Float32Array).length;
      if (values < 0) fail(where, `holds more than ${MESSAGE_LIMITS.weightsBytes / 4} values`);
      buffers[string(k, `${w}.buffers`, MESSAGE_LIMITS.attrNameLength)] = (x as Float32Array).slice();
    }
    return { ...(p.step !== undefined ? { step: integer(p.step, `${w}.step`, 0, Number.MAX_SAFE_INTEGER) } : {}), buffers };
  });
  return { kind: string(o.kind, `${where}.kind`, MESSAGE_LIMITS.attrNameLength), params };
}

/** A checked copy of one message the WebGPU runner relays (FromWorker, RunnerCheckpoint or RunnerLost). */
function runnerMessage(v: unknown, where: string): GpuRunMessage['message'] {
  if (!isPlainObject(v)) fail(where, `must be an object, found ${describe(v)}`);
  const type = (v as Record<string, unknown>).type;
  const at = `${where}(${typeof type === 'string' ? type : '?'})`;
  switch (type) {
    case 'started': {
      const o = object(v, at, ['type', 'stepsPerEpoch', 'epochs', 'classification', 'trainSize', 'validationSize', 'learned', 'kernels']);
      const l = object(o.learned, `${at}.learned`, ['classes', 'normalization'], []);
      const learned: Extract<FromWorker, { type: 'started' }>['learned'] = {};
      if (l.classes !== undefined)
        learned.classes = array(l.classes, `${at}.learned.classes`, MESSAGE_LIMITS.classes).map((c, i) =>
          string(c, `${at}.learned.classes[${i}]`, MESSAGE_LIMITS.nameLength),
        );
      if (l.normalization !== undefined) {
        const n = object(l.normalization, `${at}.learned.normalization`, ['mean', 'std']);
        const nums = (a: unknown, w: string) => array(a, w, MESSAGE_LIMITS.features).map((x, i) => finite(x, `${w}[${i}]`, Number.MAX_VALUE));
        learned.normalization = { mean: nums(n.mean, `${at}.learned.normalization.mean`), std: nums(n.std, `${at}.learned.normalization.std`) };
      }
      const k = object(o.kernels, `${at}.kernels`, ['kernels', 'threads']);
      const kinds = ['relaxed-simd', 'simd', 'typescript'] as const;
      if (!(kinds as readonly unknown[]).includes(k.kernels)) fail(`${at}.kernels.kernels`, `must be one of ${kinds.join(', ')}`);
      return {
        type,
        stepsPerEpoch: count(o.stepsPerEpoch, `${at}.stepsPerEpoch`),
        epochs: integer(o.epochs, `${at}.epochs`, 0, MESSAGE_LIMITS.epochs),
        classification: bool(o.classification, `${at}.classification`),
        trainSize: count(o.trainSize, `${at}.trainSize`),
        validationSize: count(o.validationSize, `${at}.validationSize`),
        learned,
        kernels: { kernels: k.kernels as (typeof kinds)[number], threads: integer(k.threads, `${at}.kernels.threads`, 0, 4096) },
      };
    }
    case 'progress': {
      const o = object(v, at, ['type', 'progress']);
      const p = object(
        o.progress,
        `${at}.progress`,
        ['step', 'epoch', 'epochs', 'stepsPerEpoch', 'loss', 'accuracy', 'samplesPerSecond'],
        ['step', 'epoch', 'epochs', 'stepsPerEpoch', 'loss', 'samplesPerSecond'],
      );
      return {
        type,
        progress: {
          step: count(p.step, `${at}.progress.step`),
          epoch: integer(p.epoch, `${at}.progress.epoch`, 0, MESSAGE_LIMITS.epochs),
          epochs: integer(p.epochs, `${at}.progress.epochs`, 0, MESSAGE_LIMITS.epochs),
          stepsPerEpoch: count(p.stepsPerEpoch, `${at}.progress.stepsPerEpoch`),
          loss: metric(p.loss, `${at}.progress.loss`),
          samplesPerSecond: metric(p.samplesPerSecond, `${at}.progress.samplesPerSecond`),
          ...(p.accuracy !== undefined ? { accuracy: metric(p.accuracy, `${at}.progress.accuracy`) } : {}),
        },
      };
    }
    case 'epoch': {
      const o = object(v, at, ['type', 'metrics']);
      return { type, metrics: epochMetrics(o.metrics, `${at}.metrics`) };
    }
    case 'gradients': {
      const o = object(v, at, ['type', 'update']);
      const u = object(o.update, `${at}.update`, ['step', 'edges', 'flags', 'paramNorms', 'params'], ['step', 'edges', 'flags', 'paramNorms']);
      const edges = array(u.edges, `${at}.update.edges`, LIMITS.edges).map((x, i) => metric(x, `${at}.update.edges[${i}]`));
      const flags = array(u.flags, `${at}.update.flags`, LIMITS.edges).map((f, i) =>
        f === null || f === 'vanishing' || f === 'exploding' ? f : fail(`${at}.update.flags[${i}]`, 'must be "vanishing", "exploding" or null'),
      );
      return {
        type,
        update: {
          step: count(u.step, `${at}.update.step`),
          edges,
          flags,
          paramNorms: plainData(u.paramNorms, `${at}.update.paramNorms`) as Record<string, number>,
          ...(u.params !== undefined ? { params: plainData(u.params, `${at}.update.params`) as never } : {}),
        },
      };
    }
    case 'boundary': {
      const o = object(v, at, ['type', 'step', 'grid', 'extent', 'values', 'kind']);
      const grid = integer(o.grid, `${at}.grid`, 1, 512);
      if (!(o.values instanceof Float32Array) || o.values.length !== grid * grid)
        fail(`${at}.values`, `must be a Float32Array of grid² = ${grid * grid} values, found ${describe(o.values)}`);
      if (o.kind !== 'probability' && o.kind !== 'regression') fail(`${at}.kind`, 'must be "probability" or "regression"');
      return {
        type,
        step: count(o.step, `${at}.step`),
        grid,
        extent: finite(o.extent, `${at}.extent`, 1e6),
        values: (o.values as Float32Array).slice(),
        kind: o.kind as 'probability' | 'regression',
      };
    }
    case 'nodeStats': {
      const o = object(v, at, ['type', 'step', 'nodes']);
      return { type, step: count(o.step, `${at}.step`), nodes: plainData(o.nodes, `${at}.nodes`) as never };
    }
    case 'stepCosts': {
      const o = object(v, at, ['type', 'step', 'batch', 'forwardMs', 'backwardMs', 'updateMs', 'flops', 'nodes']);
      const copy = plainData(o, at) as Record<string, unknown>;
      return { ...(copy as object), type, step: count(o.step, `${at}.step`) } as never;
    }
    case 'walkthrough': {
      const o = object(v, at, ['type', 'trace']);
      return { type, trace: plainData(o.trace, `${at}.trace`) as never };
    }
    case 'weights': {
      const o = object(v, at, ['type', 'nodeId', 'step', 'params']);
      return {
        type,
        nodeId: nodeId(o.nodeId, `${at}.nodeId`),
        step: count(o.step, `${at}.step`),
        params: array(plainData(o.params, `${at}.params`), `${at}.params`, LIMITS.nodes) as never,
      };
    }
    case 'datasetPoints': {
      const o = object(v, at, ['type', 'points']);
      return { type, points: plainData(o.points, `${at}.points`) as never };
    }
    case 'paused':
    case 'resumed':
      object(v, at, ['type']);
      return { type };
    case 'finished': {
      const o = object(v, at, ['type', 'reason', 'weights', 'history']);
      if (o.reason !== 'completed' && o.reason !== 'stopped') fail(`${at}.reason`, 'must be "completed" or "stopped"');
      return {
        type,
        reason: o.reason as 'completed' | 'stopped',
        weights: weightsBytes(o.weights, `${at}.weights`),
        history: history(o.history, `${at}.history`),
      };
    }
    case 'nonFinite': {
      const o = object(v, at, ['type', 'step', 'nodeId', 'detail', 'weights', 'history']);
      return {
        type,
        step: count(o.step, `${at}.step`),
        nodeId: string(o.nodeId, `${at}.nodeId`, MESSAGE_LIMITS.idLength),
        detail: string(o.detail, `${at}.detail`, MESSAGE_LIMITS.runnerText),
        weights: weightsBytes(o.weights, `${at}.weights`),
        history: history(o.history, `${at}.history`),
      };
    }
    case 'failed': {
      const o = object(v, at, ['type', 'message']);
      return { type, message: string(o.message, `${at}.message`, MESSAGE_LIMITS.runnerText) };
    }
    case 'checkpoint': {
      const o = object(v, at, ['type', 'step', 'epoch', 'weights', 'history', 'partial', 'optimizer']);
      const p = object(o.partial, `${at}.partial`, ['loss', 'correct', 'samples']);
      return {
        type,
        step: count(o.step, `${at}.step`),
        epoch: integer(o.epoch, `${at}.epoch`, 0, MESSAGE_LIMITS.epochs),
        weights: weightsBytes(o.weights, `${at}.weights`),
        history: history(o.history, `${at}.history`),
        partial: {
          loss: finite(p.loss, `${at}.partial.loss`, Number.MAX_VALUE),
          correct: finite(p.correct, `${at}.partial.correct`, Number.MAX_SAFE_INTEGER),
          samples: count(p.samples, `${at}.partial.samples`),
        },
        optimizer: optimizerState(o.optimizer, `${at}.optimizer`),
      };
    }
    case 'runnerLost': {
      const o = object(v, at, ['type', 'reason', 'weights', 'epoch', 'history']);
      return {
        type,
        reason: string(o.reason, `${at}.reason`, MESSAGE_LIMITS.runnerText),
        weights: o.weights === null ? null : weightsBytes(o.weights, `${at}.weights`),
        epoch: integer(o.epoch, `${at}.epoch`, 0, MESSAGE_LIMITS.epochs),
        history: history(o.history, `${at}.history`),
      };
    }
    default:
      return fail(`${where}.type`, typeof type === 'string' ? `unknown runner message ${quote(type)}` : `must be a string, found ${describe(type)}`);
  }
}
