// The depth profile: one bar per parameterised node in forward order (input side on the left), its height the
// RMS of the node's parameter gradients on a log scale, the classic picture of vanishing gradients (bars that
// shrink towards the input) or exploding ones (bars that grow). The scale is the run's adaptive range of these
// values (adaptiveRange.ts), marked at its bounds. Hovering a bar names the node with its gradient RMS and norm.
// Folds away (the workspace's `depthProfileOpen` preference); folded, it does not follow updates.
import { memo, useCallback } from 'react';
import { countRender } from '../debug/renders';
import { FoldButton } from '../ui/FoldButton';
import { useUiPref } from '../ui/uiPrefs';
import type { OverlayStore } from './overlayStore';
import { formatMagnitude, MAGNITUDE_RAMP, rampColor, tickLabel } from './scale';
import { overlay, useOverlay } from './stores';

const W = 200;
const H = 64;
const AXIS = 40;
const GAP = 2;
const MAX_BAR = 18;

const selectVersion = (o: OverlayStore) => o.version;
const selectCount = (o: OverlayStore) => o.paramCount;

function DepthProfileImpl() {
  const [open, setOpen] = useUiPref('depthProfileOpen', true);
  const toggle = useCallback(() => setOpen(!open), [open, setOpen]);
  const count = useOverlay(selectCount);
  useOverlay(open ? selectVersion : selectCount);
  if (count === 0) return null;
  countRender('DepthProfile');
  const header = (
    <FoldButton open={open} onToggle={toggle} what="the depth profile" className="depth-profile-toggle" testId="depth-profile-toggle">
      <span>Depth profile</span>
      <span className="hint">gradient RMS per layer</span>
    </FoldButton>
  );
  if (!open) return <div className="depth-profile folded">{header}</div>;

  const bars = overlay.depthProfile();
  const range = overlay.depthProfileRange;
  const plotW = W - AXIS;
  const slot = plotW / bars.length;
  const barW = Math.max(1, Math.min(MAX_BAR, slot - GAP));
  const place = (v: number) =>
    range && v > 0 && Number.isFinite(v) ? Math.min(1, Math.max(0, (Math.log10(v) - range.lo) / (range.hi - range.lo))) : v === Infinity ? 1 : 0;
  return (
    <div className="depth-profile" data-testid="depth-profile" data-step={overlay.step} data-bars={bars.length}>
      {header}
      <svg
        width={W}
        height={H + 14}
        viewBox={`0 0 ${W} ${H + 14}`}
        role="img"
        aria-label={`Gradient RMS per layer, input to output: ${bars.map((b) => `${b.id} ${formatMagnitude(b.gradRms)}`).join(', ')}`}
      >
        <line x1={AXIS - 2} y1={0} x2={AXIS - 2} y2={H} className="depth-profile-axis" />
        <line x1={AXIS - 2} y1={H + 0.5} x2={W} y2={H + 0.5} className="depth-profile-axis" />
        {range && (
          <>
            <text x={AXIS - 5} y={8} textAnchor="end" className="depth-profile-tick" data-testid="depth-profile-hi">
              {tickLabel(range.hi)}
            </text>
            <text x={AXIS - 5} y={H} textAnchor="end" className="depth-profile-tick" data-testid="depth-profile-lo">
              {tickLabel(range.lo)}
            </text>
          </>
        )}
        {bars.map((b, i) => {
          const t = place(b.gradRms);
          const h = Math.max(b.gradRms > 0 ? 1 : 0, Math.round(t * H * 10) / 10);
          const x = AXIS + i * slot + (slot - barW) / 2;
          return (
            <g key={b.id} className="depth-bar" data-testid="depth-bar" data-node={b.id} data-value={b.gradRms} data-height={h}>
              <title>{`${b.id}: gradient RMS ${formatMagnitude(b.gradRms)}${b.norm !== undefined ? ` · ‖∇θ‖ ${formatMagnitude(b.norm)}` : ''}`}</title>
              <rect x={x - GAP / 2} y={0} width={barW + GAP} height={H} className="depth-bar-hit" />
              <rect x={x} y={H - h} width={barW} height={h} style={{ fill: rampColor(MAGNITUDE_RAMP, t) }} />
            </g>
          );
        })}
        <text x={AXIS} y={H + 12} className="depth-profile-tick">
          {bars[0].id}
        </text>
        {bars.length > 1 && (
          <text x={W} y={H + 12} textAnchor="end" className="depth-profile-tick">
            {bars[bars.length - 1].id}
          </text>
        )}
      </svg>
    </div>
  );
}

export const DepthProfile = memo(DepthProfileImpl);
