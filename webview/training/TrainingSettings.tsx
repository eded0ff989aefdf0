// The training panel's settings: dataset (source, and size, noise and input features, the digits limit, or the CSV
// file and label column), optimizer, learning rate, weight decay, L1, batch size, epochs, seed and validation split. Each field is checked
// as it is typed; a valid change sends one setTraining edit on Enter or when the field loses focus. The fields
// follow the document: an undo or a change in the text editor shows here. Choosing a dataset of the other kind
// (classification ↔ regression) for a model wired for the old one holds the choice and offers to rewire the
// Target and loss with it (rewire.ts, RewireNotice.tsx).
import { memo, useMemo, useState, type ReactNode } from 'react';
import type { GraphAnalysis } from '../../engine/graph/analyze';
import type { GraphEdit, TrainingValue } from '../../protocol/messages';
import { Dropdown, TextField } from '../ui/toolkit';
import { InputFeatures } from './InputFeatures';
import {
  FIELDS,
  OPTIMIZERS,
  SOURCES,
  fieldEdit,
  fieldText,
  fileValue,
  optimizerEdit,
  readTraining,
  sourceChoices,
  sourceEdit,
  sourceLabel,
  type FieldSpec,
  type TrainingRead,
} from './settings';
import { rewireEdit, rewireOffer } from './rewire';
import { RewireNotice } from './RewireNotice';

export interface TrainingSettingsProps {
  training: unknown;
  readOnly: boolean;
  send: (edit: GraphEdit | null) => void;
  /** The model's analysis, for the rewire offer (none: datasets change without an offer). */
  analysis?: GraphAnalysis;
}

function SettingField({ spec, t, readOnly, send }: { spec: FieldSpec; t: TrainingRead; readOnly: boolean; send: (edit: GraphEdit | null) => void }) {
  const given = fileValue(t, spec.path);
  const [text, setText] = useState(() => fieldText(given));
  const [error, setError] = useState<string | null>(null);
  const blocked = spec.blocked?.(t) ?? null;
  const hint = spec.hint?.(t) ?? null;
  const check = (s: string) => {
    const r = spec.parse(s, t);
    setError(r.ok ? null : r.error);
    return r;
  };
  const commit = (s: string) => {
    const r = check(s);
    if (r.ok) send(fieldEdit(spec, t, r.value as TrainingValue | null));
  };
  return (
    <div className={`training-field${error ? ' has-error' : ''}`} data-setting={spec.key} title={blocked ?? spec.doc}>
      <label className="training-field-label" htmlFor={`training-${spec.key}`}>
        {spec.label}
      </label>
      <TextField
        id={`training-${spec.key}`}
        value={text}
        placeholder={spec.placeholder(t)}
        disabled={readOnly || !!blocked}
        invalid={!!error}
        ariaLabel={spec.label}
        onInput={(s) => {
          setText(s);
          check(s);
        }}
        onCommit={commit}
        data-testid={`training-${spec.key}`}
      />
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {!error && hint && <div className="field-hint">{hint}</div>}
    </div>
  );
}

function Setting({ label, children, testId }: { label: string; children: ReactNode; testId: string }) {
  return (
    <div className="training-field" data-setting={testId}>
      <span className="training-field-label">{label}</span>
      {children}
    </div>
  );
}

function TrainingSettingsImpl({ training, readOnly, send, analysis }: TrainingSettingsProps) {
  const t = useMemo(() => readTraining(training), [training]);
  // A dataset chosen with a rewire offer: shown in the dropdown while the offer is open, and after Rewire or
  // Keep until the file's dataset changes (so the dropdown does not flick back while the edit travels).
  const [choice, setChoice] = useState<{ source: string; from: string | undefined; decided: boolean } | null>(null);
  const offer = useMemo(() => (choice && !choice.decided && analysis ? rewireOffer(analysis, training, choice.source) : null), [choice, analysis, training]);
  // The file's dataset changed (the edit landed, an undo), or the model now fits: the choice is over.
  if (choice && (t.source !== choice.from || (!choice.decided && !offer))) setChoice(null);
  const chooseSource = (v: string) => {
    const o = analysis ? rewireOffer(analysis, training, v) : null;
    setChoice(o ? { source: v, from: t.source, decided: false } : null);
    if (!o) send(sourceEdit(t, v));
  };
  const settle = (edit: GraphEdit | null) => {
    setChoice(edit && choice ? { ...choice, decided: true } : null);
    send(edit);
  };
  const sourceOptions = useMemo(() => {
    const options = sourceChoices(t).map((value) => ({ value, label: sourceLabel(t, value) }));
    if (t.source === undefined) return [{ value: '', label: '(choose a dataset)' }, ...options];
    if (!SOURCES.includes(t.source)) return [{ value: t.source, label: `${t.source} (unknown)` }, ...options];
    return options;
  }, [t]);
  const optimizerOptions = useMemo(() => {
    const options = OPTIMIZERS.map((value) => ({ value, label: value === 'Adam' && !t.optimizer ? 'Adam (default)' : value }));
    return (OPTIMIZERS as readonly string[]).includes(t.optimizerType)
      ? options
      : [{ value: t.optimizerType, label: `${t.optimizerType} (unknown)` }, ...options];
  }, [t.optimizer, t.optimizerType]);
  // A field starts again from the file whenever the file's value changes (an edit, an undo).
  const field = (spec: FieldSpec) => (
    <SettingField key={`${spec.key}:${JSON.stringify(fileValue(t, spec.path) ?? null)}:${t.optimizerType}`} spec={spec} t={t} readOnly={readOnly} send={send} />
  );
  const datasetFields = FIELDS.filter((f) => f.path[0] === 'dataset' && f.shown(t));
  const otherFields = FIELDS.filter((f) => f.path[0] !== 'dataset');
  return (
    <div className="training-settings" data-testid="training-settings">
      <Setting label="Dataset" testId="source">
        <Dropdown
          value={choice ? choice.source : (t.source ?? '')}
          options={sourceOptions}
          disabled={readOnly}
          ariaLabel="Dataset"
          onChange={chooseSource}
          data-testid="training-source"
        />
      </Setting>
      {offer && !readOnly && (
        <RewireNotice
          offer={offer}
          onRewire={() => settle(rewireEdit(training, offer))}
          onKeep={() => settle(sourceEdit(t, offer.source))}
          onCancel={() => settle(null)}
        />
      )}
      {datasetFields.map(field)}
      <InputFeatures t={t} readOnly={readOnly} send={send} />
      <Setting label="Optimizer" testId="optimizer">
        <Dropdown
          value={t.optimizerType}
          options={optimizerOptions}
          disabled={readOnly}
          ariaLabel="Optimizer"
          onChange={(v) => send(optimizerEdit(t, v))}
          data-testid="training-optimizer"
        />
      </Setting>
      {otherFields.map(field)}
    </div>
  );
}

export const TrainingSettings = memo(TrainingSettingsImpl);
