// The Inspector's "Weights" section for a parameterised node: each parameter and its gradient as heatmaps. While the
// walk-through is open they are the walked step's (the weights before the update, the gradient that step computed,
// the weights after it, from the trace); otherwise the run's latest for this node (WeightsMessage, which the run
// sends for the node the Inspector watches: see Inspector.tsx). Only this section reads those stores.
import { useCallback } from 'react';
import type { WeightsStore } from './weightsStore';
import type { WalkStore } from '../walkthrough/walkStore';
import { useWalk } from '../walkthrough/walk';
import { useWeights } from './weights';
import { WeightHeatmap } from './WeightHeatmap';

const gradSymbol = (name: string) => `∂ℓ/∂${name === 'weight' ? 'W' : name === 'bias' ? 'b' : name}`;
const valueSymbol = (name: string) => (name === 'weight' ? 'W' : name === 'bias' ? 'b' : name);

export function WeightsSection({ nodeId }: { nodeId: string }) {
  const walked = useWalk(useCallback((s: WalkStore) => (s.isOpen ? (s.trace!.update.find((u) => u.node === nodeId) ?? null) : null), [nodeId]));
  const live = useWeights(useCallback((s: WeightsStore) => s.get(nodeId), [nodeId]));
  const step = useWalk(useCallback((s: WalkStore) => (s.isOpen ? s.trace!.step : -1), []));

  if (walked) {
    const images = walked.params.filter((p) => p.images);
    return (
      <section className="weights-section" data-testid="inspector-weights" data-source="walkthrough" data-step={step}>
        <p className="hint">Step {step} of the walk-through: each parameter before the update, the gradient the step computed, and after.</p>
        {images.length === 0 && <p className="hint">Too large to draw in the walk-through: see the summaries in its update frame.</p>}
        {images.map((p) => (
          <div key={p.key} className="weights-param" data-param={p.name}>
            <WeightHeatmap image={p.images!.before} title={`${p.name} before`} symbol={valueSymbol(p.name)} testId="weights-value" />
            {p.images!.grad && (
              <WeightHeatmap
                image={p.images!.grad}
                title={`gradient ${gradSymbol(p.name)}`}
                symbol={gradSymbol(p.name)}
                tone="gradient"
                testId="weights-grad"
              />
            )}
            <WeightHeatmap image={p.images!.after} title={`${p.name} after`} symbol={valueSymbol(p.name)} testId="weights-after" />
          </div>
        ))}
      </section>
    );
  }
  if (!live) {
    return (
      <section className="weights-section" data-testid="inspector-weights" data-source="none">
        <p className="hint">The weights appear here as heatmaps, and their gradients once the model trains (a very large model’s only while it trains).</p>
      </section>
    );
  }
  return (
    <section className="weights-section" data-testid="inspector-weights" data-source={live.saved ? 'saved' : 'run'} data-step={live.step}>
      <p className="hint">
        {live.saved
          ? 'As saved: what the next run starts from. Gradients appear once it trains.'
          : live.step > 0
            ? `After step ${live.step}, with the gradient that step applied.`
            : 'Before the first step.'}
      </p>
      {live.params.map((p) => (
        <div key={p.key} className="weights-param" data-param={p.name}>
          <WeightHeatmap image={p.value} title={p.name} symbol={valueSymbol(p.name)} testId="weights-value" />
          {p.grad && (
            <WeightHeatmap image={p.grad} title={`gradient ${gradSymbol(p.name)}`} symbol={gradSymbol(p.name)} tone="gradient" testId="weights-grad" />
          )}
        </div>
      ))}
    </section>
  );
}
