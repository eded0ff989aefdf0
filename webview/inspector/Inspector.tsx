// The inspector: the selected node's id, every attribute of its op as a typed field, the source of each input
// port, its output shape and parameter count, and its errors; with nothing selected, a summary of the model with
// its note (the file's `description`: a template's what-to-look-for).
import { memo, useEffect, useMemo } from 'react';
import type { AttrValue } from '../../engine/graph/attrs';
import type { GraphAnalysis, NodeInfo } from '../../engine/graph/analyze';
import type { ModelJson } from '../../engine/graph/types';
import type { GraphEdit } from '../../protocol/messages';
import { sourceCandidates } from '../model/connect';
import type { GraphView } from '../model/graphView';
import { CATEGORY_ICON } from '../canvas/categories';
import { Icon } from '../ui/Icon';
import { Divider } from '../ui/toolkit';
import { AttrField } from './AttrField';
import { IdField } from './IdField';
import { PortSources } from './PortSources';
import { groupDigits } from '../model/format';
import type { OverlayStore } from '../training/overlayStore';
import { formatMagnitude } from '../training/scale';
import { useOverlay } from '../training/stores';
import { post } from '../host';
import { WeightsSection } from '../weights/WeightsSection';
import { GradCheckPanel } from '../gradcheck/GradCheckPanel';

export interface InspectorProps {
  /** Ids of the selected nodes, joined by spaces (a string, so the inspector skips re-rendering during drags). */
  selection: string;
  model: ModelJson;
  analysis: GraphAnalysis;
  view: GraphView;
  readOnly: boolean;
  send: (edit: GraphEdit) => void;
}

function ModelSummary({ analysis, view, model }: { analysis: GraphAnalysis; view: GraphView; model: ModelJson }) {
  const params = [...analysis.nodes.values()].reduce((s, n) => s + n.paramCount, 0);
  return (
    <div className="inspector-body">
      <div className="inspector-heading">{model.name || 'Untitled model'}</div>
      {typeof model.description === 'string' && model.description.trim() !== '' && (
        <p className="inspector-summary" data-testid="model-description">
          {model.description}
        </p>
      )}
      <dl className="facts">
        <dt>Nodes</dt>
        <dd>{view.nodes.length}</dd>
        <dt>Edges</dt>
        <dd>{view.edges.length}</dd>
        <dt>Parameters</dt>
        <dd>{groupDigits(params)}</dd>
        <dt>Outputs</dt>
        <dd>{analysis.outputs.join(', ') || '—'}</dd>
        <dt>Losses</dt>
        <dd>{analysis.losses.join(', ') || '—'}</dd>
      </dl>
      <p className="hint">Select a node to edit its attributes and inputs.</p>
      <GradCheckPanel {...modelCheckable(analysis, model)} />
    </div>
  );
}

/** Whether Check Gradients has something to compare in the whole model, and a dataset to take a batch from. */
function modelCheckable(analysis: GraphAnalysis, model: ModelJson): { checkable: boolean; reason?: string } {
  if (![...analysis.nodes.values()].some((n) => nodeCheckable(n))) return { checkable: false, reason: 'No parameters or float inputs to check.' };
  if (!(model.training as { dataset?: unknown } | undefined)?.dataset)
    return { checkable: false, reason: "Checking gradients takes a batch of the model's dataset: choose one in the training panel." };
  return { checkable: true };
}

/** A node the check covers: one with trainable parameters, or a float Input. */
function nodeCheckable(n: NodeInfo): boolean {
  return n.params.some((p) => !p.buffer) || (n.spec?.op === 'Input' && n.type?.dtype === 'float32');
}

/** The node's parameter-gradient norm while training streams it (this line alone re-renders on an update). */
function GradNorm({ nodeId }: { nodeId: string }) {
  const norm = useOverlay((o: OverlayStore) => o.paramNorm(nodeId));
  if (norm === undefined) return null;
  return (
    <>
      <dt title="sqrt(Σ g²) over the node's parameter gradients, from the last overlay update">Gradient norm</dt>
      <dd data-testid="inspector-grad-norm">{formatMagnitude(norm)}</dd>
    </>
  );
}

function InspectorImpl({ selection, model, analysis, view, readOnly, send }: InspectorProps) {
  const ids = selection ? selection.split(' ') : [];
  const id = ids.length === 1 ? ids[0] : undefined;
  const info = id !== undefined ? analysis.nodes.get(id) : undefined;
  const nodeView = id !== undefined ? view.byId.get(id) : undefined;
  const taken = useMemo(() => new Set(view.nodes.map((n) => n.id)), [view]);
  // The run sends the weights of the parameterised node shown here (WeightsSection draws them).
  const trained = !!info && info.params.some((p) => !p.buffer);
  const watched = trained ? id! : null;
  useEffect(() => post({ type: 'watchNode', nodeId: watched }), [watched]);
  const candidates = useMemo(
    () => (id !== undefined && view.byId.has(id) ? sourceCandidates(view, id).map((c) => ({ id: c, op: view.byId.get(c)!.op })) : []),
    [view, id],
  );

  let body;
  if (ids.length > 1) {
    body = (
      <div className="inspector-body">
        <div className="inspector-heading">{ids.length} nodes selected</div>
        <p className="hint">Delete removes them; Ctrl+C / Ctrl+V copies them; Ctrl+D duplicates them.</p>
      </div>
    );
  } else if (!id || !info || !info.spec || !nodeView) {
    body = <ModelSummary analysis={analysis} view={view} model={model} />;
  } else {
    const spec = info.spec;
    const given = (info.json.attrs ?? {}) as Record<string, unknown>;
    body = (
      <div className="inspector-body" data-node-id={id}>
        <div className="inspector-heading">
          <Icon name={CATEGORY_ICON[spec.category]} /> {spec.op}
        </div>
        <p className="inspector-summary">{spec.summary}</p>
        <IdField key={id} id={id} taken={taken} readOnly={readOnly} onRename={(to) => send({ kind: 'renameNode', from: id, to })} />
        {spec.attrs.length > 0 && <h4>Attributes</h4>}
        {spec.attrs.map((a) => (
          <AttrField
            key={`${id}:${a.name}:${JSON.stringify(given[a.name] ?? null)}`}
            spec={a}
            given={given[a.name] ?? undefined}
            readOnly={readOnly}
            onSet={(value: AttrValue | null) => send({ kind: 'setAttr', nodeId: id, attr: a.name, value })}
          />
        ))}
        <h4>Inputs</h4>
        <PortSources
          ports={nodeView.ports}
          candidates={candidates}
          readOnly={readOnly}
          onSetInput={(port, source) => send({ kind: 'setInput', nodeId: id, port, source })}
        />
        <h4>Output</h4>
        <dl className="facts">
          <dt>Shape</dt>
          <dd data-testid="inspector-shape">{nodeView.type}</dd>
          <dt>Parameters</dt>
          <dd data-testid="inspector-params">{groupDigits(info.paramCount)}</dd>
          {info.params.length > 0 && (
            <>
              <dt>Tensors</dt>
              <dd>{info.params.map((p) => `${p.name} [${p.shape.join(', ')}]${p.buffer ? ' (buffer)' : ''}`).join(', ')}</dd>
            </>
          )}
          {info.params.length > 0 && <GradNorm nodeId={id} />}
        </dl>
        {trained && (
          <>
            <h4>Weights</h4>
            <WeightsSection nodeId={id} />
          </>
        )}
        {nodeCheckable(info) && <GradCheckPanel nodeId={id} {...modelCheckable(analysis, model)} />}
        {nodeView.errors.length > 0 && (
          <>
            <h4>Problems</h4>
            <ul className="inspector-errors">
              {nodeView.errors.map((m, i) => (
                <li key={i}>
                  <Icon name="error" /> {m}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }

  return (
    <aside className="inspector nokey" aria-label="Inspector">
      <div className="panel-title">
        <Icon name="settings-gear" /> Inspector{readOnly ? ' (read-only)' : ''}
      </div>
      <Divider />
      {body}
    </aside>
  );
}

export const Inspector = memo(InspectorImpl);
