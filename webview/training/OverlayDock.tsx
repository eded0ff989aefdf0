// Everything the training overlay shows beside the graph (its legend; the mode chooser and the depth profile
// belong here too), as one block that the canvas docks where it covers no node.
import { memo } from 'react';
import { GradientLegend } from './GradientLegend';

function OverlayDockImpl() {
  return <GradientLegend />;
}

export const OverlayDock = memo(OverlayDockImpl);
