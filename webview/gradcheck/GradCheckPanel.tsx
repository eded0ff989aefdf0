// Check Gradients in the Inspector: the button (the whole model with nothing selected, the node's own tensors with
// a node selected) and the last check's result: per tensor pass / FAIL / kinks with its errors, and the cost —
// backprop's one backward pass against the finite differences' forward passes. The check runs in the extension
// host (a worker thread); this posts `checkGradients` and shows the `gradCheck` messages that come back.
import type { GradCheckMessage, GradCheckTensorView, GradCheckView } from '../../protocol/messages';
import { post } from '../host';
import { Button } from '../ui/toolkit';
import { useGradCheck } from './gradCheckStore';

const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1));
const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 1 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);
const duration = (x: number) =>
  x < 1000 ? ms(x) : x < 120_000 ? `${(x / 1000).toFixed(1)} s` : x < 7_200_000 ? `${(x / 60_000).toFixed(0)} min` : `${(x / 3_600_000).toFixed(1)} h`;

function verdict(t: GradCheckTensorView): string {
  if (t.status === 'fail') return 'FAIL';
  return t.kinks ? `pass, ${t.kinks} kink${t.kinks === 1 ? '' : 's'}` : 'pass';
}

function TensorRow({ t, tolerance }: { t: GradCheckTensorView; tolerance: GradCheckView['tolerance'] }) {
  const why =
    t.status === 'fail'
      ? `relative error ${sci(t.relError)} > ${tolerance.relative} and max |g − n| ${sci(t.maxAbsError)} > ${sci(tolerance.absolute)}`
      : t.belowResolution
        ? `every gradient is below the check's resolution (${sci(tolerance.absolute)})`
        : `relative error ${sci(t.relError)}`;
  return (
    <tr
      data-testid="gradcheck-row"
      data-tensor={t.name}
      data-status={t.status}
      data-kinks={t.kinks}
      className={`gradcheck-${t.status}`}
      title={`${t.name} [${t.shape.join(', ')}]: ${t.checked} entries checked, ${t.kinks} at a kink; ${why}`}
    >
      <td className="gradcheck-name">{t.name}</td>
      <td>{sci(t.relError)}</td>
      <td>{sci(t.maxAbsError)}</td>
      <td className="gradcheck-verdict">{verdict(t)}</td>
    </tr>
  );
}

/** The result: `nodeId` keeps to that node's tensors (an Inspector on a node), else all of them. */
export function GradCheckResultView({ result, nodeId }: { result: GradCheckView; nodeId?: string }) {
  const tensors = nodeId === undefined ? result.tensors : result.tensors.filter((t) => t.nodeId === nodeId);
  const failed = tensors.filter((t) => t.status === 'fail').length;
  const kinks = tensors.reduce((s, t) => s + t.kinks, 0);
  return (
    <div className="gradcheck-result" data-testid="gradcheck-result" data-passed={String(failed === 0)} data-tensors={tensors.length}>
      <p className={`gradcheck-summary ${failed ? 'gradcheck-fail' : 'gradcheck-pass'}`} data-testid="gradcheck-summary">
        {failed ? `${failed} of ${tensors.length} tensors FAIL` : `All ${tensors.length} tensors pass`}
        {kinks ? ` (${kinks} entr${kinks === 1 ? 'y' : 'ies'} at a kink: not failures)` : ''}
      </p>
      <table className="gradcheck-table">
        <thead>
          <tr>
            <th>Tensor</th>
            <th title="‖g − n‖ / (‖g‖ + ‖n‖): backprop's g against the float64 central differences n">Rel. error</th>
            <th title="max |g − n| over the checked entries">Max |g−n|</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tensors.map((t) => (
            <TensorRow key={t.name} t={t} tolerance={result.tolerance} />
          ))}
        </tbody>
      </table>
      <p className="gradcheck-cost" data-testid="gradcheck-cost">
        Backprop: <strong>1 backward pass</strong> ({ms(result.backwardMs)}) gave all {result.gradients.toLocaleString('en-US')} gradient values. Finite
        differences: <strong>{result.forwardPasses.toLocaleString('en-US')} forward passes</strong> for {result.checked} of them,{' '}
        <strong>{result.timeRatio.toFixed(0)}×</strong> the time; all of them would take {result.allForwardPasses.toLocaleString('en-US')} forward passes, about{' '}
        {duration(result.allMsEstimate)}.
      </p>
      <p className="hint">
        ε {result.eps.toExponential()}, up to {result.samples} entries per tensor; passes at relative error ≤ {result.tolerance.relative} or every |g − n| ≤{' '}
        {sci(result.tolerance.absolute)}.
      </p>
    </div>
  );
}

function Status({ msg, nodeId }: { msg: GradCheckMessage; nodeId?: string }) {
  // A check of another node says nothing about this one.
  if (nodeId !== undefined && msg.nodeId !== undefined && msg.nodeId !== nodeId) return null;
  if (msg.status === 'running') {
    return (
      <p className="hint" data-testid="gradcheck-running">
        Checking{msg.progress ? `: ${msg.progress.done} of ${msg.progress.total} entries` : '…'}
      </p>
    );
  }
  if (msg.status === 'failed')
    return (
      <p className="gradcheck-error" data-testid="gradcheck-error">
        {msg.message ?? 'The check failed.'}
      </p>
    );
  if (!msg.result) return null;
  if (nodeId !== undefined && !msg.result.tensors.some((t) => t.nodeId === nodeId)) return null;
  return <GradCheckResultView result={msg.result} nodeId={nodeId} />;
}

export interface GradCheckPanelProps {
  /** The selected node (its tensors), or undefined for the whole model. */
  nodeId?: string;
  /** Whether the node (or model) has anything to check: parameters or a float Input. */
  checkable: boolean;
  /** Why not, when it has nothing (shown instead of the button). */
  reason?: string;
}

export function GradCheckPanel({ nodeId, checkable, reason }: GradCheckPanelProps) {
  const msg = useGradCheck();
  const running = msg?.status === 'running';
  return (
    <section className="gradcheck" data-testid="gradcheck">
      <h4>Gradient check</h4>
      {checkable ? (
        <Button
          appearance="secondary"
          disabled={running}
          title={`Compare backprop's gradients of ${nodeId === undefined ? 'every parameter and input' : `this node's tensors`} with float64 finite differences on a batch of the dataset (Backprop Studio: Check Gradients)`}
          onClick={() => post(nodeId === undefined ? { type: 'checkGradients' } : { type: 'checkGradients', nodeId })}
          data-testid="gradcheck-button"
        >
          Check gradients
        </Button>
      ) : (
        <p className="hint">{reason}</p>
      )}
      {msg && <Status msg={msg} nodeId={nodeId} />}
    </section>
  );
}
