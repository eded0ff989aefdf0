// The gradient tooltip: hovering an edge while the overlay has data shows the edge, its RMS gradient (and, in
// the update and weight modes, the value of the node it leaves), its flag and a sparkline of its last gradient
// values (log scale), following the pointer. Live while hovered.
import { memo } from 'react';
import type { EdgeFlag } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { Icon } from '../ui/Icon';
import { useHover } from './hover';
import { FLAG_DETAIL, FLAG_ICON } from './GradientLegend';
import type { OverlayStore } from './overlayStore';
import { formatMagnitude, updateHealth } from './scale';
import { overlay, useOverlay } from './stores';

const SPARK_W = 168;
const SPARK_H = 36;

export function Sparkline({ values }: { values: readonly number[] }) {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = positive.length ? Math.log10(Math.min(...positive)) : 0;
  const hi = positive.length ? Math.log10(Math.max(...positive)) : 1;
  const span = hi - lo || 1;
  const x = (i: number) => (values.length > 1 ? (i / (values.length - 1)) * (SPARK_W - 2) + 1 : SPARK_W / 2);
  const y = (v: number) => {
    const l = v > 0 && Number.isFinite(v) ? Math.log10(v) : lo;
    return Math.round((SPARK_H - 2 - ((l - lo) / span) * (SPARK_H - 4)) * 10) / 10;
  };
  const d = values.map((v, i) => `${i ? 'L' : 'M'}${Math.round(x(i) * 10) / 10} ${y(v)}`).join('');
  return (
    <svg
      className="sparkline"
      width={SPARK_W}
      height={SPARK_H}
      viewBox={`0 0 ${SPARK_W} ${SPARK_H}`}
      data-testid="grad-sparkline"
      data-points={values.length}
      role="img"
      aria-label={`last ${values.length} values, log scale`}
    >
      <path d={d} className="sparkline-line" />
      {values.length > 0 && <circle cx={x(values.length - 1)} cy={y(values[values.length - 1])} r={2} className="sparkline-dot" />}
    </svg>
  );
}

/** In the update and weight modes, the value of the parameterised node the edge leaves. */
function NodeLine({ index }: { index: number }) {
  if (overlay.mode === 'gradient') return null;
  const from = overlay.edgeSource(index);
  const stats = from === undefined ? undefined : overlay.paramStats(from);
  if (from === undefined || !stats)
    return <div className="hint">{overlay.mode === 'update' ? 'Update ratio' : 'Weight RMS'}: leaves no parameterised node</div>;
  if (overlay.mode === 'weight') {
    return (
      <div>
        weight RMS of {from} <b data-testid="grad-tooltip-node-value">{formatMagnitude(stats.weightRms)}</b>
      </div>
    );
  }
  const health = updateHealth(stats.updateRatio);
  return (
    <div>
      update ratio of {from} <b data-testid="grad-tooltip-node-value">{formatMagnitude(stats.updateRatio)}</b>
      {health && <span className={`hint health-${health}`}> {health}</span>}
    </div>
  );
}

function EdgeTooltipImpl() {
  const h = useHover();
  // While an edge is hovered, follow every update (the store's version); otherwise nothing.
  useOverlay(h ? selectVersion : selectNothing);
  if (!h) return null;
  const cell = overlay.cell(h.index);
  if (!cell) return null;
  countRender('EdgeTooltip');
  const history = overlay.history(h.index);
  const flag: EdgeFlag | null = cell.flag;
  const left = h.x + 240 > h.width ? h.x - 14 - 200 : h.x + 14;
  const top = h.y + 130 > h.height ? h.y - 14 - 110 : h.y + 14;
  const lo = history.filter((v) => v > 0).reduce((m, v) => Math.min(m, v), Infinity);
  const hi = history.reduce((m, v) => Math.max(m, v), 0);
  return (
    <div
      className="grad-tooltip"
      data-testid="grad-tooltip"
      data-edge-id={h.edgeId}
      role="tooltip"
      style={{ transform: `translate(${Math.max(0, left)}px, ${Math.max(0, top)}px)` }}
    >
      <div className="grad-tooltip-edge">
        {h.from} → {h.to}
      </div>
      <div>
        RMS gradient <b data-testid="grad-tooltip-value">{formatMagnitude(cell.value)}</b> <span className="hint">step {overlay.step}</span>
      </div>
      <NodeLine index={h.index} />
      {flag && (
        <div className={`grad-tooltip-flag grad-${flag}`}>
          <Icon name={FLAG_ICON[flag]} /> {FLAG_DETAIL[flag]}
        </div>
      )}
      <Sparkline values={history} />
      <div className="hint">
        last {history.length} update{history.length === 1 ? '' : 's'}
        {history.length > 1 && hi > 0 ? ` · ${formatMagnitude(Number.isFinite(lo) ? lo : 0)} to ${formatMagnitude(hi)}` : ''}
      </div>
    </div>
  );
}

const selectVersion = (o: OverlayStore) => o.version;
const selectNothing = () => 0;

export const EdgeTooltip = memo(EdgeTooltipImpl);
