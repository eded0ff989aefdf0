// The overlay legend's body (the overlay dock, OverlayDock.tsx, frames it and folds it): the mode chooser
// (gradient, update ratio, weight: the workspace's `overlayMode` preference), the colour ramp drawn as a wedge
// (thin and blue for small values, thick and red for large: width and colour both carry the magnitude) with
// ticks at the bounds of the range actually drawn (the run's adaptive range, or the update ratio's fixed health
// scale with its bands), the gradient flags with how many edges carry each, and what a grey edge means.
import { memo } from 'react';
import { OVERLAY_MODES, type EdgeFlag, type OverlayMode } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { Icon } from '../ui/Icon';
import { useUiPref } from '../ui/uiPrefs';
import type { OverlayStore } from './overlayStore';
import { HEALTH, HEALTH_RAMP, MAGNITUDE_RAMP, MAX_WIDTH, MIN_WIDTH, tickLabel, ticks, type LogRange } from './scale';
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

export const MODE_LABEL: Record<OverlayMode, string> = { gradient: 'Gradient', update: 'Update', weight: 'Weight' };
export const MODE_TITLE: Record<OverlayMode, string> = {
  gradient: 'Gradient RMS per edge',
  update: 'Update ratio ‖Δθ‖/‖θ‖ per layer',
  weight: 'Weight RMS per layer',
};
const MODE_HELP: Record<OverlayMode, string> = {
  gradient: 'Each edge by the RMS of the gradient it carries back',
  update:
    'Each parameterised node (and the edges leaving it) by how much its last optimizer step changed its parameters, relative to their size: about 1e-3 is healthy',
  weight: 'Each parameterised node (and the edges leaving it) by the RMS of its parameters',
};

const W = 200;
const H = 14;

/** The segmented control that picks the overlay's mode. */
export function ModeChooser() {
  const [mode, setMode] = useUiPref('overlayMode', 'gradient');
  return (
    <div className="overlay-modes" role="radiogroup" aria-label="Overlay mode" data-testid="overlay-mode">
      {OVERLAY_MODES.map((m) => (
        <button
          key={m}
          type="button"
          role="radio"
          aria-checked={m === mode}
          className={m === mode ? 'active' : undefined}
          title={MODE_HELP[m]}
          data-mode={m}
          onClick={() => setMode(m)}
        >
          {MODE_LABEL[m]}
        </button>
      ))}
    </div>
  );
}

export function FlagCount({ flag, count }: { flag: EdgeFlag; count: number }) {
  return (
    <span className="grad-legend-count" data-testid={`grad-legend-${flag}`}>
      {count}
    </span>
  );
}

function FlagRow({ flag, count, prefix }: { flag: EdgeFlag; count: number; prefix: boolean }) {
  return (
    <div className={`grad-legend-flag grad-${flag}${count ? ' present' : ''}`} data-flag={flag} data-count={count}>
      <svg width={28} height={10} aria-hidden="true">
        <line x1={1} y1={5} x2={27} y2={5} className="grad-legend-sample" />
      </svg>
      <Icon name={FLAG_ICON[flag]} />
      <span className="grad-legend-flag-text">
        {prefix ? 'gradient ' : ''}
        {FLAG_TEXT[flag]}
      </span>
      <FlagCount flag={flag} count={count} />
    </div>
  );
}

/** The update ratio's bands under its ramp. */
function HealthBands({ range }: { range: LogRange }) {
  const at = (v: number) => `${((Math.log10(v) - range.lo) / (range.hi - range.lo)) * 100}%`;
  const bands = [
    {
      name: 'stalled',
      from: 10 ** range.lo,
      to: HEALTH.stalledAtOrBelow,
      title: `at or below ${tickLabel(Math.log10(HEALTH.stalledAtOrBelow))}: the step barely moves the weights`,
    },
    {
      name: 'healthy',
      from: HEALTH.healthyFrom,
      to: HEALTH.healthyTo,
      title: `${tickLabel(Math.log10(HEALTH.healthyFrom))} to ${tickLabel(Math.log10(HEALTH.healthyTo))}: within a decade of 1e-3`,
    },
    {
      name: 'unstable',
      from: HEALTH.unstableAtOrAbove,
      to: 10 ** range.hi,
      title: `at or above ${tickLabel(Math.log10(HEALTH.unstableAtOrAbove))}: a tenth of the weights rewritten each step`,
    },
  ];
  return (
    <div className="grad-legend-bands" style={{ width: W }}>
      {bands.map((b) => (
        <span key={b.name} className={`health-${b.name}`} style={{ left: at(b.from), width: `calc(${at(b.to)} - ${at(b.from)})` }} title={b.title}>
          {b.name}
        </span>
      ))}
    </div>
  );
}

/** What the legend shows, as one string so it re-renders only when that changes. */
const selectLegend = (o: OverlayStore) => {
  if (!o.hasData) return '';
  const r = o.range();
  return `${o.mode}|${o.vanishing}|${o.exploding}|${o.edgeTotal}|${o.paramCount}|${r ? r.lo : ''}|${r ? r.hi : ''}`;
};

function GradientLegendImpl() {
  const key = useOverlay(selectLegend);
  if (!key) return null;
  countRender('GradientLegend');
  const [modeText, vText, xText, edgesText, paramsText, loText, hiText] = key.split('|');
  const mode = modeText as OverlayMode;
  const [vanishing, exploding, edges, params] = [vText, xText, edgesText, paramsText].map(Number);
  const range: LogRange | null = loText === '' ? null : { lo: Number(loText), hi: Number(hiText) };
  const ramp = mode === 'update' ? HEALTH_RAMP : MAGNITUDE_RAMP;
  const c = H / 2;
  const noStats = mode !== 'gradient' && params === 0;
  return (
    <div className="grad-legend-body" data-mode={mode} data-lo={range ? 10 ** range.lo : undefined} data-hi={range ? 10 ** range.hi : undefined}>
      <ModeChooser />
      <div className="grad-legend-title">{MODE_TITLE[mode]}</div>
      {noStats ? (
        <div className="hint grad-legend-nostats">This run sends no per-layer statistics.</div>
      ) : range ? (
        <>
          <svg
            className="grad-legend-ramp"
            width={W}
            height={H}
            viewBox={`0 0 ${W} ${H}`}
            role="img"
            aria-label={`log scale from ${tickLabel(range.lo)} (thin, blue) to ${tickLabel(range.hi)} (thick, red)`}
          >
            <defs>
              <linearGradient id={`grad-legend-fill-${mode}`} x1="0" x2="1" y1="0" y2="0">
                {ramp.map((s, i) => (
                  <stop key={i} offset={s.at} style={{ stopColor: `var(${s.color})` }} />
                ))}
              </linearGradient>
            </defs>
            <polygon
              points={`0,${c - MIN_WIDTH / 2} ${W},${c - MAX_WIDTH / 2 - 1} ${W},${c + MAX_WIDTH / 2 + 1} 0,${c + MIN_WIDTH / 2}`}
              fill={`url(#grad-legend-fill-${mode})`}
            />
          </svg>
          <div className="grad-legend-ticks" style={{ width: W }} data-testid="grad-legend-ticks">
            {ticks(range).map((e, i, all) => (
              <span
                key={e}
                style={{ left: `${((e - range.lo) / (range.hi - range.lo)) * 100}%` }}
                data-testid={i === 0 ? 'grad-legend-lo' : i === all.length - 1 ? 'grad-legend-hi' : undefined}
              >
                {tickLabel(e)}
              </span>
            ))}
          </div>
          {mode === 'update' && <HealthBands range={range} />}
        </>
      ) : (
        <div className="hint grad-legend-nostats">No gradient has flowed yet.</div>
      )}
      {/* The flags are the gradient's in every mode: said so where the scale is another quantity's. */}
      <FlagRow flag="vanishing" count={vanishing} prefix={mode !== 'gradient'} />
      <FlagRow flag="exploding" count={exploding} prefix={mode !== 'gradient'} />
      <div className="grad-legend-none">
        <svg width={28} height={10} aria-hidden="true">
          <line x1={1} y1={5} x2={27} y2={5} className={`grad-legend-sample${mode === 'gradient' ? '' : ' neutral'}`} />
        </svg>
        <span>{mode === 'gradient' ? '0: no gradient (from an Input or Target)' : 'grey: not after a layer with parameters'}</span>
      </div>
      <div className="hint grad-legend-foot">
        {mode === 'gradient'
          ? `${edges} edges · scale: this run's 2nd–98th percentile · hover an edge for its history`
          : mode === 'update'
            ? `${params} layers · fixed scale: about 1e-3 is healthy`
            : `${params} layers · scale: this run's 2nd–98th percentile`}
      </div>
    </div>
  );
}

export const GradientLegend = memo(GradientLegendImpl);
