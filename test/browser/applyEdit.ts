// A stand-in for the host's edit application, for browser tests: applies a GraphEdit to a model object the
// simple way (the real host keeps formatting and renames weights too). Enough to feed the page the document
// it would get back.
import type { EdgeJson, ModelJson } from '../../engine/graph/types';
import { getOp } from '../../engine/graph/registry';
import '../../engine/layers';
import type { GraphEdit } from '../../protocol/messages';

export function applyEdit(model: ModelJson, edit: GraphEdit): ModelJson {
  const m: ModelJson = structuredClone(model);
  m.edges ??= [];
  const samePort = (e: EdgeJson, to: string, port: number) => e.to === to && (e.port ?? 0) === port;
  switch (edit.kind) {
    case 'addNodes':
      m.nodes.push(...edit.nodes);
      m.edges.push(...edit.edges);
      break;
    case 'moveNodes':
      for (const n of m.nodes) {
        const p = edit.positions[n.id];
        if (p) n.ui = { ...(n.ui ?? {}), x: p.x, y: p.y };
      }
      break;
    case 'deleteElements': {
      const gone = new Set(edit.nodeIds);
      m.nodes = m.nodes.filter((n) => !gone.has(n.id));
      m.edges = m.edges.filter(
        (e) => !gone.has(e.from) && !gone.has(e.to) && !edit.edges.some((d) => d.from === e.from && d.to === e.to && (d.port ?? 0) === (e.port ?? 0)),
      );
      break;
    }
    case 'connect':
      m.edges.push(edit.edge);
      break;
    case 'setInput':
      m.edges = m.edges.filter((e) => !samePort(e, edit.nodeId, edit.port));
      if (edit.source !== null) m.edges.push({ from: edit.source, to: edit.nodeId, ...(edit.port ? { port: edit.port } : {}) });
      break;
    case 'setAttr':
      for (const n of m.nodes) {
        if (n.id !== edit.nodeId) continue;
        const attrs = { ...(n.attrs ?? {}) };
        if (edit.value === null) delete attrs[edit.attr];
        else attrs[edit.attr] = edit.value;
        n.attrs = attrs;
      }
      break;
    case 'renameNode':
      for (const n of m.nodes) if (n.id === edit.from) n.id = edit.to;
      for (const e of m.edges) {
        if (e.from === edit.from) e.from = edit.to;
        if (e.to === edit.from) e.to = edit.to;
      }
      break;
    case 'setName':
      m.name = edit.name;
      break;
    case 'setInputFeatures': {
      // The key, and the bound Input's shape: [k], or the raw point's [2].
      const dataset = (m.training?.dataset ?? {}) as Record<string, unknown>;
      if (edit.features === null) delete dataset.inputFeatures;
      else dataset.inputFeatures = [...edit.features];
      const inputs = m.nodes.filter((n) => n.op === 'Input');
      const input = typeof dataset.input === 'string' ? inputs.find((n) => n.id === dataset.input) : inputs.length === 1 ? inputs[0] : undefined;
      if (input) input.attrs = { ...(input.attrs ?? {}), shape: [edit.features?.length ?? 2] };
      break;
    }
    case 'setTraining': {
      let obj = (m.training ??= {}) as Record<string, unknown>;
      for (const k of edit.path.slice(0, -1)) obj = (obj[k] ??= {}) as Record<string, unknown>;
      const leaf = edit.path.at(-1)!;
      if (edit.value === null) delete obj[leaf];
      else obj[leaf] = structuredClone(edit.value);
      break;
    }
    case 'setOp':
      for (const n of m.nodes) {
        if (n.id !== edit.nodeId) continue;
        n.op = edit.op;
        // Attributes the new op does not take go (the host also drops values the op would refuse).
        const names = new Set((getOp(edit.op)?.attrs ?? []).map((a) => a.name));
        const kept = Object.fromEntries(Object.entries(n.attrs ?? {}).filter(([k]) => names.has(k)));
        if (Object.keys(kept).length) n.attrs = kept;
        else delete n.attrs;
      }
      break;
    case 'batch':
      return edit.edits.reduce(applyEdit, m);
  }
  return m;
}
