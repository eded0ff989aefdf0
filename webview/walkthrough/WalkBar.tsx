// The walk-through's controls, over the top of the canvas while it is open: where it is ("forward 3/6 · fc1"), the
// step and its loss, and Previous / Next / Run to end / Close, driven by the keyboard too: → and ← step, Home and End
// jump to the first and last frame, Escape leaves. Run to end plays the remaining frames one after another (any key
// stops it). The keys are taken in the capture phase while it is open, so arrows do not move a selected node.
import { memo, useCallback, useEffect, useState } from 'react';
import { countRender } from '../debug/renders';
import { inTextField } from '../canvas/useShortcuts';
import { formatStat } from '../training/statFormat';
import { Icon } from '../ui/Icon';
import { walk, useWalk } from './walk';
import { frameLabel, type WalkStore } from './walkStore';

/** How long each frame shows while Run to end plays. */
export const PLAY_FRAME_MS = 450;

const selectFrame = (s: WalkStore) => s.frame;
const selectTrace = (s: WalkStore) => s.trace;
const selectAt = (s: WalkStore) => s.at;

function WalkBarImpl() {
  const frame = useWalk(selectFrame);
  const trace = useWalk(selectTrace);
  const at = useWalk(selectAt);
  const [playing, setPlaying] = useState(false);
  const open = frame !== null;

  useEffect(() => {
    if (!open) {
      setPlaying(false);
      return;
    }
    const onKey = (e: KeyboardEvent) => {
      if (inTextField(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const act: Record<string, () => void> = {
        ArrowRight: () => walk.next(),
        ArrowLeft: () => walk.previous(),
        End: () => walk.end(),
        Home: () => walk.goTo(0),
        Escape: () => walk.close(),
      };
      const fn = act[e.key];
      if (!fn) return;
      e.preventDefault();
      e.stopPropagation();
      setPlaying(false);
      fn();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [open]);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      if (walk.atEnd) setPlaying(false);
      else walk.next();
    }, PLAY_FRAME_MS);
    return () => clearInterval(timer);
  }, [playing]);

  const runToEnd = useCallback(() => (walk.atEnd ? undefined : setPlaying((p) => !p)), []);
  if (!frame || !trace) return null;
  countRender('WalkBar');
  const last = at === walk.frames.length - 1;
  return (
    <div
      className="walk-bar nokey"
      role="toolbar"
      aria-label="Walk through the step"
      data-testid="walk-bar"
      data-phase={frame.phase}
      data-node-id={frame.node}
      data-at={at}
    >
      <span className="walk-bar-step">
        Step {trace.step}{' '}
        <span className="hint">
          · loss {formatStat(trace.loss)} · batch {trace.batchSize}
        </span>
      </span>
      <span className="walk-bar-where" data-testid="walk-counter" aria-live="polite">
        {frameLabel(frame)}
      </span>
      <button
        type="button"
        className="walk-bar-button"
        title="Previous (←)"
        aria-label="Previous"
        disabled={at === 0}
        onClick={() => {
          setPlaying(false);
          walk.previous();
        }}
        data-testid="walk-previous"
      >
        <Icon name="arrow-left" />
      </button>
      <button
        type="button"
        className="walk-bar-button"
        title="Next (→)"
        aria-label="Next"
        disabled={last}
        onClick={() => {
          setPlaying(false);
          walk.next();
        }}
        data-testid="walk-next"
      >
        <Icon name="arrow-right" />
      </button>
      <button
        type="button"
        className="walk-bar-button"
        title={playing ? 'Stop playing' : 'Run to end: play every remaining frame (End jumps there)'}
        aria-label={playing ? 'Stop playing' : 'Run to end'}
        disabled={last}
        onClick={runToEnd}
        data-testid="walk-run"
      >
        <Icon name={playing ? 'debug-pause' : 'run-all'} /> {playing ? 'Stop' : 'Run to end'}
      </button>
      <button
        type="button"
        className="walk-bar-button"
        title="Leave the walk-through (Escape)"
        aria-label="Close the walk-through"
        onClick={() => walk.close()}
        data-testid="walk-close"
      >
        <Icon name="close" />
      </button>
    </div>
  );
}

export const WalkBar = memo(WalkBarImpl);
