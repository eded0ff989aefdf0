// The training panel under the canvas: a header with Train, Pause/Resume, Stop and Reset weights (sent to the
// host as trainingControl messages: the host owns the session) and the session's status, and a body that can
// be folded away with the settings, the loss and accuracy charts and the decision boundary. Read-only
// documents show it with every control disabled. Each part reads the training store itself, so a progress
// update re-renders the status and charts, never the settings or the canvas.
import { memo, useCallback, useEffect, useState } from 'react';
import type { GraphAnalysis } from '../../engine/graph/analyze';
import { TRAINING_PACES, type GraphEdit, type TrainingControlMessage, type TrainingPaceMessage } from '../../protocol/messages';
import { countRender } from '../debug/renders';
import { post, savedState, saveState } from '../host';
import { FoldButton } from '../ui/FoldButton';
import { Icon } from '../ui/Icon';
import { Button, Dropdown } from '../ui/toolkit';
import { BoundaryHeatmap } from './BoundaryHeatmap';
import { AccuracyChart, LossChart } from './Charts';
import { CostMeter, CostSummary } from './CostMeter';
import { ACTIVE, type SessionView } from './sessionStore';
import { readTraining, settingsSummary } from './settings';
import { statusText } from './status';
import { useSession } from './stores';
import { TrainingSettings } from './TrainingSettings';

export interface TrainingPanelProps {
  /** The model's `training` section (whatever the file has). */
  training: unknown;
  readOnly: boolean;
  send: (edit: GraphEdit | null) => void;
  /** Select and centre a node (the one a NaN/Inf stop names). */
  onReveal: (nodeId: string) => void;
  /** The model's analysis (the dataset dropdown's rewire offer reads the Target and loss). */
  analysis?: GraphAnalysis;
}

const control = (action: TrainingControlMessage['action']) => post({ type: 'trainingControl', action });

const selectStatus = (s: SessionView) => s.status;

const PACE_OPTIONS = [
  ...TRAINING_PACES.map((n) => ({ value: String(n), label: `${n} step${n === 1 ? '' : 's'}/s` })),
  { value: 'max', label: 'As fast as possible' },
];
const paceOf = (v: string): TrainingPaceMessage['stepsPerSecond'] => (v === 'max' ? null : (Number(v) as TrainingPaceMessage['stepsPerSecond']));

/** The speed of the run: the host paces the runner itself, so at 5 steps/s every step is drawn. */
function PaceSetting({ readOnly }: { readOnly: boolean }) {
  const [pace, setPace] = useState(() => savedState().trainingPace ?? 'max');
  // The host keeps the pace per model; a page that (re)opens tells it its setting.
  useEffect(() => {
    if (pace !== 'max') post({ type: 'trainingPace', stepsPerSecond: paceOf(pace) });
    // Once, on mount (the initial value): later changes are posted by `change`.
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  const change = (v: string) => {
    setPace(v);
    saveState({ trainingPace: v });
    post({ type: 'trainingPace', stepsPerSecond: paceOf(v) });
  };
  return (
    <Dropdown
      value={pace}
      options={PACE_OPTIONS}
      disabled={readOnly}
      ariaLabel="Training speed"
      onChange={change}
      className="training-pace"
      data-testid="training-pace"
    />
  );
}

function TrainingControls({ readOnly }: { readOnly: boolean }) {
  const status = useSession(selectStatus);
  const active = ACTIVE.includes(status);
  const paused = status === 'paused';
  const canPause = status === 'running';
  const canStop = status === 'running' || status === 'paused' || status === 'starting';
  const act = (enabled: boolean, action: TrainingControlMessage['action']) => () => {
    if (enabled && !readOnly) control(action);
  };
  return (
    <div className="training-controls" role="group" aria-label="Training controls">
      <Button
        appearance="primary"
        ariaLabel="Train"
        title="Train the model on its dataset (Backprop Studio: Train)"
        disabled={readOnly || active}
        onClick={act(!active, 'start')}
        data-testid="training-train"
      >
        <Icon name="debug-start" /> Train
      </Button>
      {paused ? (
        <Button
          appearance="secondary"
          ariaLabel="Resume"
          title="Resume training"
          disabled={readOnly}
          onClick={act(true, 'resume')}
          data-testid="training-pause"
        >
          <Icon name="debug-continue" />
          <span className="button-label"> Resume</span>
        </Button>
      ) : (
        <Button
          appearance="secondary"
          ariaLabel="Pause"
          title="Pause after the current step"
          disabled={readOnly || !canPause}
          onClick={act(canPause, 'pause')}
          data-testid="training-pause"
        >
          <Icon name="debug-pause" />
          <span className="button-label"> Pause</span>
        </Button>
      )}
      <Button
        appearance="secondary"
        ariaLabel="Step"
        title="One optimizer step, then paused (F10; Backprop Studio: Step Training)"
        disabled={readOnly || status === 'stopping'}
        onClick={act(status !== 'stopping', 'step')}
        data-testid="training-step"
      >
        <Icon name="debug-step-over" />
        <span className="button-label"> Step</span>
      </Button>
      <Button
        appearance="secondary"
        ariaLabel="Walk through step"
        title="One optimizer step, traced: replay its forward and backward pass on the graph (Alt+F10; Backprop Studio: Walk Through Step)"
        disabled={readOnly || status === 'stopping'}
        onClick={act(status !== 'stopping', 'walk')}
        data-testid="training-walk"
      >
        <Icon name="debug-step-into" />
        <span className="button-label"> Walk</span>
      </Button>
      <Button
        appearance="secondary"
        ariaLabel="Step epoch"
        title="To the end of the epoch, then paused (Shift+F10)"
        disabled={readOnly || status === 'stopping'}
        onClick={act(status !== 'stopping', 'stepEpoch')}
        data-testid="training-step-epoch"
      >
        <Icon name="debug-step-out" />
        <span className="button-label"> Epoch</span>
      </Button>
      <PaceSetting readOnly={readOnly} />
      <Button
        appearance="secondary"
        ariaLabel="Stop"
        title="Stop and save the weights"
        disabled={readOnly || !canStop}
        onClick={act(canStop, 'stop')}
        data-testid="training-stop"
      >
        <Icon name="debug-stop" />
        <span className="button-label"> Stop</span>
      </Button>
      <Button
        appearance="secondary"
        ariaLabel="Reset weights"
        title="Start again from the seed (asks first)"
        disabled={readOnly || active}
        onClick={act(!active, 'reset')}
        data-testid="training-reset"
      >
        <Icon name="discard" />
        <span className="button-label"> Reset weights</span>
      </Button>
    </div>
  );
}

const selectView = (s: SessionView) => s;

function TrainingStatus({ onReveal }: { onReveal: (nodeId: string) => void }) {
  countRender('TrainingStatus');
  const s = useSession(selectView);
  const kind = s.status === 'nonFinite' || s.status === 'failed' ? 'error' : ACTIVE.includes(s.status) ? 'active' : 'idle';
  const node = s.status === 'nonFinite' ? s.nodeId : undefined;
  return (
    <div className={`training-status ${kind}`} role="status" aria-live="polite">
      {kind === 'error' && <Icon name="error" />}
      {kind === 'active' && s.status === 'running' && <Icon name="pulse" />}
      <span className="training-status-text" data-testid="training-status" data-status={s.status} data-step={s.progress?.step} title={statusText(s)}>
        {statusText(s)}
      </span>
      {s.backend && (
        <span className="training-backend" data-testid="training-backend" title={s.backend}>
          {s.backend}
        </span>
      )}
      {node && (
        <button type="button" className="training-reveal" onClick={() => onReveal(node)} data-testid="training-show-node">
          Show node {node}
        </button>
      )}
    </div>
  );
}

const CLASSIFICATION_SOURCES = ['circle', 'xor', 'gaussians', 'spiral', 'digits'];
const selectClassification = (s: SessionView) => s.classification;

/** The accuracy chart, for classification: as the run says, or before one as the dataset suggests. */
function AccuracyCharts({ training }: { training: unknown }) {
  const classification = useSession(selectClassification);
  const source = readTraining(training).source;
  const show = classification ?? (source === undefined || CLASSIFICATION_SOURCES.includes(source));
  return show ? <AccuracyChart /> : null;
}

/** Below this height the settings open folded: open, with the charts, they would leave the graph little room. */
const SHORT_EDITOR_PX = 640;

/**
 * The settings, foldable on their own (remembered by the editor's page): folded, they are one line of summary and
 * the charts and boundary take the panel's width, so a short editor keeps room for the graph while a run is watched.
 */
function SettingsSection({ training, readOnly, send, analysis }: Pick<TrainingPanelProps, 'training' | 'readOnly' | 'send' | 'analysis'>) {
  // Until the person chooses, a short editor (VS Code's panel open, a small window) starts with them folded.
  const [open, setOpen] = useState(() => savedState().trainingSettingsOpen ?? window.innerHeight >= SHORT_EDITOR_PX);
  const toggle = () => {
    saveState({ trainingSettingsOpen: !open });
    setOpen(!open);
  };
  return (
    <div className={`training-settings-section${open ? ' open' : ''}`} data-testid="training-settings-section" data-open={open}>
      <FoldButton open={open} onToggle={toggle} what="the settings" className="training-settings-toggle" testId="training-settings-toggle">
        <span className="training-settings-title">Settings</span>
        {!open && <span className="hint training-settings-summary">{settingsSummary(training)}</span>}
      </FoldButton>
      <div hidden={!open}>
        <TrainingSettings training={training} readOnly={readOnly} send={send} analysis={analysis} />
      </div>
    </div>
  );
}

function TrainingPanelImpl({ training, readOnly, send, onReveal, analysis }: TrainingPanelProps) {
  countRender('TrainingPanel');
  const [open, setOpen] = useState(() => savedState().trainingOpen ?? true);
  const toggle = useCallback(() => {
    setOpen((o) => {
      saveState({ trainingOpen: !o });
      return !o;
    });
  }, []);
  // The whole cost meter on request: its ratios are always in the status row.
  const [costsOpen, setCostsOpen] = useState(() => savedState().costMeterOpen ?? false);
  const toggleCosts = useCallback(() => {
    setCostsOpen((o) => {
      saveState({ costMeterOpen: !o });
      if (!o) setOpen(true);
      return !o;
    });
  }, []);
  return (
    <section className={`training-panel nokey${open ? ' open' : ''}`} data-testid="training-panel" aria-label="Training">
      <div className="training-header">
        <FoldButton open={open} onToggle={toggle} what="settings and charts" className="training-toggle" testId="training-toggle">
          <span className="training-title">Training{readOnly ? ' (read-only)' : ''}</span>
        </FoldButton>
        <TrainingControls readOnly={readOnly} />
        <div className="training-status-line">
          <TrainingStatus onReveal={onReveal} />
          <CostSummary open={costsOpen && open} onToggle={toggleCosts} />
        </div>
      </div>
      <div className="training-body" hidden={!open}>
        <SettingsSection training={training} readOnly={readOnly} send={send} analysis={analysis} />
        <div className="training-charts">
          <LossChart />
          <AccuracyCharts training={training} />
          <BoundaryHeatmap />
          {costsOpen && <CostMeter />}
        </div>
      </div>
    </section>
  );
}

export const TrainingPanel = memo(TrainingPanelImpl);
