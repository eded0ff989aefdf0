// Everything the training overlay shows beside the graph, as one block that the layout docks where it covers
// no node: a header with the fold toggle (the workspace's `legendOpen` preference: folded, the header alone says
// the mode, the step and the flag counts), the legend with its mode chooser (GradientLegend.tsx) and the depth
// profile (DepthProfile.tsx). Shown while the overlay has data.
import { memo, useCallback } from 'react';
import type { OverlayMode } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { FoldButton } from '../ui/FoldButton';
import { Icon } from '../ui/Icon';
import { useUiPref } from '../ui/uiPrefs';
import { DepthProfile } from './DepthProfile';
import { FLAG_ICON, FlagCount, GradientLegend, MODE_TITLE } from './GradientLegend';
import type { OverlayStore } from './overlayStore';
import { useOverlay } from './stores';

/** The header's facts, as one string so the dock re-renders only when one changes. */
const selectHeader = (o: OverlayStore) => (o.hasData ? `${o.mode}|${o.step}|${o.vanishing}|${o.exploding}` : '');

function OverlayDockImpl() {
  const key = useOverlay(selectHeader);
  const [open, setOpen] = useUiPref('legendOpen', true);
  const toggle = useCallback(() => setOpen(!open), [open, setOpen]);
  if (!key) return null;
  countRender('OverlayDock');
  const [modeText, stepText, vText, xText] = key.split('|');
  const mode = modeText as OverlayMode;
  const [vanishing, exploding] = [Number(vText), Number(xText)];
  return (
    <div
      className={`grad-legend${open ? ' open' : ' folded'}`}
      data-testid="grad-legend"
      data-step={stepText}
      data-mode={mode}
      data-vanishing={vanishing}
      data-exploding={exploding}
      data-open={open}
      aria-label="Training overlay legend"
    >
      <div className="grad-legend-header">
        <FoldButton open={open} onToggle={toggle} what="the overlay legend" className="grad-legend-toggle" testId="grad-legend-toggle" />
        <span className="grad-legend-mode">{open ? 'Training overlay' : MODE_TITLE[mode]}</span>
        <span className="hint">step {stepText}</span>
        {!open && (
          <span className="grad-legend-summary" title="Edges whose gradient is flagged vanishing, exploding">
            <span className={`grad-vanishing${vanishing ? ' present' : ''}`}>
              <Icon name={FLAG_ICON.vanishing} /> <FlagCount flag="vanishing" count={vanishing} />
            </span>
            <span className={`grad-exploding${exploding ? ' present' : ''}`}>
              <Icon name={FLAG_ICON.exploding} /> <FlagCount flag="exploding" count={exploding} />
            </span>
          </span>
        )}
      </div>
      {open && (
        <>
          <GradientLegend />
          <DepthProfile />
        </>
      )}
    </div>
  );
}

export const OverlayDock = memo(OverlayDockImpl);
