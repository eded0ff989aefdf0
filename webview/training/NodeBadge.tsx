// The overlay's mark on a parameterised node in the update-ratio and weight modes: a swatch in the edge colour
// and the value (`Δ 1.2e-3`, `w 0.31`), above the node's top left corner. It reads the overlay store with a
// selector of its own, so an update re-renders this badge (when its shown value changes) and never the node.
import { memo } from 'react';
import { countRender } from '../debug/renders';
import type { OverlayStore } from './overlayStore';
import { HEALTH_RAMP, MAGNITUDE_RAMP, stepColor, updateHealth } from './scale';
import { overlay, useOverlay } from './stores';

const HEALTH_TEXT = { stalled: 'stalled', low: 'low', healthy: 'healthy', high: 'high', unstable: 'unstable' } as const;

function NodeBadgeImpl({ id }: { id: string }) {
  const key = useOverlay((o: OverlayStore) => o.badgeKey(id));
  if (!key) return null;
  countRender('NodeBadge');
  const [look, label] = key.split('|');
  const health = look[0] === 'h';
  const step = Number(look.slice(1));
  const stats = overlay.paramStats(id);
  const verdict = health && stats ? updateHealth(stats.updateRatio) : null;
  const title = health
    ? `Update ratio ‖Δθ‖/‖θ‖ of ${id} at the last step: ${label}${verdict ? ` (${HEALTH_TEXT[verdict]}; about 1e-3 is healthy)` : ''}`
    : `Weight RMS ‖θ‖/√n of ${id}: ${label}`;
  return (
    <div
      className={`op-node-badge${verdict ? ` health-${verdict}` : ''}`}
      data-testid="node-badge"
      data-mode={health ? 'update' : 'weight'}
      data-value={label}
      data-health={verdict ?? undefined}
      title={title}
    >
      <span className="op-node-badge-swatch" style={step >= 0 ? { background: stepColor(step, health ? HEALTH_RAMP : MAGNITUDE_RAMP) } : undefined} />
      {health ? 'Δ' : 'w'} {label}
    </div>
  );
}

export const NodeBadge = memo(NodeBadgeImpl);
