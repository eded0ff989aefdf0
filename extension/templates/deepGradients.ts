import { deepMlp } from './deepMlp';
import type { ModelTemplate } from './types';

// Three models of the same depth, data, seed and optimizer, differing in one thing each: the activation, then
// the skips. Their notes quote what one Step shows (test/extension/templates.test.ts measures the same).

export const vanishingSigmoid: ModelTemplate = {
  id: 'vanishing-gradients-sigmoid',
  label: 'Vanishing gradients: 10-layer sigmoid MLP',
  description: 'Input [2] → (Linear 16 → Sigmoid) × 9 → Linear 2 → cross-entropy, on the circle',
  model: deepMlp(
    'Vanishing gradients (10-layer sigmoid MLP)',
    'Sigmoid',
    false,
    'Each sigmoid passes back at most a quarter of the gradient it receives (σ′ ≤ 0.25), and the small default weights shrink it further, ' +
      'so it fades about tenfold a layer. Take one Step with the overlay on: the depth profile falls from about 7e-2 at fc10 to about 1e-9 at fc1, ' +
      'nearly eight decades, and the edges near the input are flagged vanishing. Train: the loss stays at ln 2 ≈ 0.693 and the accuracy at 50%, ' +
      'because the first layers barely move. Compare the ReLU and residual models of the same depth.',
  ),
};

export const deepRelu: ModelTemplate = {
  id: 'deep-relu',
  label: 'Deep ReLU MLP (10 layers)',
  description: 'Input [2] → (Linear 16 → ReLU) × 9 → Linear 2 → cross-entropy, on the circle',
  model: deepMlp(
    'Deep ReLU MLP (10 layers)',
    'ReLU',
    false,
    'The sigmoid model’s depth with ReLU: its derivative is 1 wherever a unit is active, so the gradient is not cut by four at every layer. ' +
      'After one Step the depth profile spans about four decades (fc1 about 4e-6, fc10 about 3e-2) instead of eight, and training reaches ' +
      'about 99% on the circle. What shrinkage is left comes from the default initialisation, which scales each layer’s signal down.',
  ),
};

export const deepResidual: ModelTemplate = {
  id: 'deep-residual',
  label: 'Deep residual MLP (10 layers)',
  description: 'Input [2] → Linear 16 → ReLU → (h + ReLU(Linear 16 h)) × 8 → Linear 2 → cross-entropy, on the circle',
  model: deepMlp(
    'Deep residual MLP (10 layers)',
    'ReLU',
    true,
    'The ReLU model with skip connections: layers 2 to 9 add their input to their output (the Add nodes along the bottom), and an Add passes ' +
      'its gradient to both inputs unchanged, so the gradient reaches fc1 along the skips without shrinking. After one Step fc1’s gradient is ' +
      'within about a decade of fc10’s: the depth profile is nearly flat. It learns the circle in fewer epochs than the plain ReLU model.',
  ),
};
