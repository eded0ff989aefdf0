// The cost meter: what the run's latest reported step cost (always the step it rests at once it pauses, stops or
// ends). The measured time of the forward pass, the backward pass and the optimizer update as bars, the ratios
// backward / forward and step / forward beside the rule of thumb (≈ 2 and ≈ 3) and the ratios the analytic FLOPs give,
// and, on request, every node's forward and backward time with its FLOPs. The host measures (engine/train/profile.ts);
// this only draws the message.
import { memo, useState } from 'react';
import { formatFlops } from '../../engine/train/profile';
import type { NodeCost, StepCostsMessage } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { FoldButton } from '../ui/FoldButton';
import type { CostStore } from './costStore';
import { useCosts } from './stores';

const selectCosts = (c: CostStore) => c.current;

/** Milliseconds with 3 significant digits (whole ones from 100 up). */
export function formatMs(v: number): string {
  if (v === 0) return '0';
  return v >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}

const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? (a / b).toFixed(2) : '—');

const PHASES = [
  { key: 'forwardMs', label: 'forward', className: 'cost-forward' },
  { key: 'backwardMs', label: 'backward', className: 'cost-backward' },
  { key: 'updateMs', label: 'update', className: 'cost-update' },
] as const;

function PhaseBars({ c }: { c: StepCostsMessage }) {
  const step = c.forwardMs + c.backwardMs + c.updateMs;
  return (
    <div className="cost-phases" role="list" aria-label="Time of each phase">
      {PHASES.map((p) => (
        <div key={p.key} className="cost-phase" role="listitem" data-testid={`cost-phase-${p.label}`}>
          <span className="cost-phase-label">{p.label}</span>
          <span className="cost-bar-track">
            <span className={`cost-bar ${p.className}`} style={{ width: `${step > 0 ? (100 * c[p.key]) / step : 0}%` }} />
          </span>
          <span className="cost-phase-ms">{formatMs(c[p.key])} ms</span>
        </div>
      ))}
    </div>
  );
}

function Ratios({ c }: { c: StepCostsMessage }) {
  const step = c.forwardMs + c.backwardMs + c.updateMs;
  const f = c.flops;
  const rows = [
    { id: 'backward', label: 'backward / forward', measured: ratio(c.backwardMs, c.forwardMs), thumb: '≈ 2', analytic: ratio(f.backward, f.forward) },
    { id: 'step', label: 'step / forward', measured: ratio(step, c.forwardMs), thumb: '≈ 3', analytic: ratio(f.forward + f.backward + f.update, f.forward) },
  ];
  return (
    <table className="cost-ratios">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col" title="Measured in this step">
            measured
          </th>
          <th scope="col" title="The rule of thumb: backward costs about two forwards, a whole step about three">
            rule
          </th>
          <th scope="col" title="From the analytic FLOP counts of this model">
            FLOPs
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-testid={`cost-ratio-${r.id}`} data-measured={r.measured} data-analytic={r.analytic}>
            <th scope="row">{r.label}</th>
            <td className="cost-measured">{r.measured}</td>
            <td className="hint">{r.thumb}</td>
            <td>{r.analytic}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NodeRows({ nodes }: { nodes: readonly NodeCost[] }) {
  const max = Math.max(1e-9, ...nodes.map((n) => Math.max(n.forwardMs, n.backwardMs)));
  const bar = (ms: number, className: string) => <span className={`cost-bar ${className}`} style={{ width: `${(100 * ms) / max}%` }} />;
  return (
    <div className="cost-nodes-scroll">
      <table className="cost-nodes" data-testid="cost-nodes">
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col" title="Forward time of the node, ms">
              fwd ms
            </th>
            <th scope="col" title="Time of the backward ops the node recorded, ms">
              bwd ms
            </th>
            <th scope="col" title="Analytic FLOPs of the node's forward and backward for this batch">
              FLOPs f / b
            </th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.id} data-testid="cost-node-row" data-node={n.id}>
              <th scope="row" title={n.op ? `${n.id} (${n.op})` : 'Backward ops outside every node: the sum of the losses (and the L1 penalty)'}>
                {n.id}
              </th>
              <td>
                <span className="cost-bar-track small">{bar(n.forwardMs, 'cost-forward')}</span>
                {formatMs(n.forwardMs)}
              </td>
              <td>
                <span className="cost-bar-track small">{bar(n.backwardMs, 'cost-backward')}</span>
                {formatMs(n.backwardMs)}
              </td>
              <td className="cost-flops">{n.op ? `${formatFlops(n.forwardFlops)} / ${formatFlops(n.backwardFlops)}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The ratios in one line of the panel's status row, beside the rule of thumb: there whatever the panel's size (the
 * whole meter is a box of the charts row, which a short editor cannot spare), with the button that opens the meter.
 */
function CostSummaryImpl({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const c = useCosts(selectCosts);
  if (!c) return null;
  const step = c.forwardMs + c.backwardMs + c.updateMs;
  return (
    <span className="cost-summary" data-testid="cost-summary" data-step={c.step}>
      <FoldButton open={open} onToggle={onToggle} what="the cost of a step" className="cost-summary-toggle" testId="cost-meter-toggle">
        <span>
          backward / forward <b data-testid="cost-summary-backward">{ratio(c.backwardMs, c.forwardMs)}</b> <span className="hint">(≈ 2)</span> · step / forward{' '}
          <b data-testid="cost-summary-step">{ratio(step, c.forwardMs)}</b> <span className="hint">(≈ 3)</span>
        </span>
      </FoldButton>
    </span>
  );
}

export const CostSummary = memo(CostSummaryImpl);

function CostMeterImpl() {
  countRender('CostMeter');
  const c = useCosts(selectCosts);
  const [open, setOpen] = useState(false);
  // Nothing until a run has measured a step: an empty meter would take a row of the panel from the graph.
  if (!c) return null;
  return (
    <figure className="chart cost-meter" data-testid="cost-meter" data-step={c.step}>
      <figcaption>
        Cost of a step
        <span className="hint">
          step {c.step} · batch {c.batch}
        </span>
      </figcaption>
      <PhaseBars c={c} />
      <Ratios c={c} />
      <FoldButton open={open} onToggle={() => setOpen(!open)} what="the cost per node" className="cost-nodes-toggle" testId="cost-nodes-toggle">
        <span>Per node</span>
      </FoldButton>
      {open && <NodeRows nodes={c.nodes} />}
    </figure>
  );
}

export const CostMeter = memo(CostMeterImpl);
