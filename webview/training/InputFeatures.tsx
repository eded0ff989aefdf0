// The input features of the 2-D sets, as TensorFlow Playground's feature column: one toggle per feature
// (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂). A toggle sends the one edit that sets
// training.dataset.inputFeatures and the Input's size together; the last feature on cannot be turned off.
import { memo } from 'react';
import type { GraphEdit } from '../../protocol/messages';
import { FEATURE_DEFS, INPUT_FEATURES_KEY } from '../../engine/data/features';
import { chosenFeatures, featureToggleEdit, isGenerated, type TrainingRead } from './settings';

export interface InputFeaturesProps {
  t: TrainingRead;
  readOnly: boolean;
  send: (edit: GraphEdit | null) => void;
}

function InputFeaturesImpl({ t, readOnly, send }: InputFeaturesProps) {
  const has = t.dataset?.inputFeatures !== undefined;
  if (!isGenerated(t.source)) {
    // Left over from a 2-D set: the engine reports it; offer the way out here.
    if (!has || !t.dataset) return null;
    return (
      <div className="training-features" data-testid="training-features">
        <span className="training-field-label">Input features apply only to the 2-D datasets.</span>
        <button
          type="button"
          className="training-reveal"
          disabled={readOnly}
          onClick={() => send({ kind: 'setInputFeatures', features: null })}
          data-testid="training-features-remove"
        >
          Remove them
        </button>
      </div>
    );
  }
  const chosen = chosenFeatures(t);
  return (
    <div
      className="training-features"
      role="group"
      aria-label="Input features"
      data-testid="training-features"
      title={`What the model's Input receives for each point (${INPUT_FEATURES_KEY}); its size follows.`}
    >
      <span className="training-field-label">Features</span>
      {FEATURE_DEFS.map((f) => {
        const on = chosen.includes(f.name);
        const last = on && chosen.length === 1;
        return (
          <button
            key={f.name}
            type="button"
            className="feature-chip"
            aria-pressed={on}
            disabled={readOnly || last}
            title={last ? `${f.name}: the model needs at least one feature` : f.name}
            onClick={() => send(featureToggleEdit(t, f.name, !on))}
            data-feature={f.name}
          >
            {f.label}
          </button>
        );
      })}
    </div>
  );
}

export const InputFeatures = memo(InputFeaturesImpl);
