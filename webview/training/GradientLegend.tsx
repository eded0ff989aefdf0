// The gradient overlay's legend (a plain block: the overlay dock, OverlayDock.tsx, places it), while the overlay has data: the colour ramp drawn as
// a wedge (thin and blue for small gradients, thick and red for large: width and colour both carry the
// magnitude) with tick labels on the log scale, the flag symbols with how many edges carry each, and what a
// grey edge means.
import { memo } from 'react';
import type { EdgeFlag } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { Icon } from '../ui/Icon';
import type { OverlayStore } from './overlayStore';
import { MAX_WIDTH, MIN_WIDTH, RAMP, TICKS, scalePosition, tickLabel } from './scale';
import { useOverlay } from './stores';

export const FLAG_ICON: Record<EdgeFlag, string> = { vanishing: 'arrow-down', exploding: 'flame' };
export const FLAG_TEXT: Record<EdgeFlag, string> = {
  vanishing: 'vanishing (< 1e-7)',
  exploding: 'exploding (> 1e3, or ×10 in 50 steps)',
};
export const FLAG_DETAIL: Record<EdgeFlag, string> = {
  vanishing: 'vanishing: below 1e-7',
  exploding: 'exploding: above 1e3, or grew more than 10× within 50 steps',
};

const W = 200;
const H = 14;

/** What the legend shows, as one string so it re-renders only when that changes. */
const selectLegend = (o: OverlayStore) => (o.hasData ? `${o.step}|${o.vanishing}|${o.exploding}|${o.edgeTotal}` : '');

function FlagRow({ flag, count }: { flag: EdgeFlag; count: number }) {
  return (
    <div className={`grad-legend-flag grad-${flag}${count ? ' present' : ''}`} data-flag={flag} data-count={count}>
      <svg width={28} height={10} aria-hidden="true">
        <line x1={1} y1={5} x2={27} y2={5} className="grad-legend-sample" />
      </svg>
      <Icon name={FLAG_ICON[flag]} />
      <span className="grad-legend-flag-text">{FLAG_TEXT[flag]}</span>
      <span className="grad-legend-count" data-testid={`grad-legend-${flag}`}>
        {count}
      </span>
    </div>
  );
}

function GradientLegendImpl() {
  const key = useOverlay(selectLegend);
  if (!key) return null;
  countRender('GradientLegend');
  const [step, vanishing, exploding, edges] = key.split('|').map(Number);
  const c = H / 2;
  return (
    <div className="grad-legend" data-testid="grad-legend" data-step={step} data-vanishing={vanishing} data-exploding={exploding} aria-label="Gradient legend">
      <div className="grad-legend-title">
        Gradient RMS per edge <span className="hint">step {step}</span>
      </div>
      <svg className="grad-legend-ramp" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label="log scale from 1e-8 (thin, blue) to 1e2 (thick, red)">
        <defs>
          <linearGradient id="grad-legend-fill" x1="0" x2="1" y1="0" y2="0">
            {RAMP.map((_, i) => (
              <stop key={i} offset={i / (RAMP.length - 1)} className={`grad-stop-${i}`} />
            ))}
          </linearGradient>
        </defs>
        <polygon points={`0,${c - MIN_WIDTH / 2} ${W},${c - MAX_WIDTH / 2 - 1} ${W},${c + MAX_WIDTH / 2 + 1} 0,${c + MIN_WIDTH / 2}`} fill="url(#grad-legend-fill)" />
      </svg>
      <div className="grad-legend-ticks" style={{ width: W }}>
        {TICKS.map((v) => (
          <span key={v} style={{ left: `${(scalePosition(v) ?? 0) * 100}%` }}>
            {tickLabel(v)}
          </span>
        ))}
      </div>
      <FlagRow flag="vanishing" count={vanishing} />
      <FlagRow flag="exploding" count={exploding} />
      <div className="grad-legend-none">
        <svg width={28} height={10} aria-hidden="true">
          <line x1={1} y1={5} x2={27} y2={5} className="grad-legend-sample" />
        </svg>
        <span>0: no gradient (from an Input or Target)</span>
      </div>
      <div className="hint grad-legend-foot">{edges} edges · hover one for its history</div>
    </div>
  );
}

export const GradientLegend = memo(GradientLegendImpl);
