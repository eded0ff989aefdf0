import { cnnDigits } from './cnnDigits';
import { deadRelu } from './deadRelu';
import { deepRelu, deepResidual, vanishingSigmoid } from './deepGradients';
import { emptyModel } from './empty';
import { explodingGradients } from './explodingGradients';
import { mlpClassifier } from './mlpClassifier';
import { residualMlp } from './residualMlp';
import { singleNeuron } from './singleNeuron';
import type { ModelTemplate } from './types';

export type { ModelTemplate, NnModel, NnNode, NnEdge } from './types';

/** Every template "New Model" offers, in the order shown: starting points, then the lessons on gradients. */
export const templates: readonly ModelTemplate[] = [
  emptyModel,
  mlpClassifier,
  cnnDigits,
  residualMlp,
  singleNeuron,
  vanishingSigmoid,
  deepRelu,
  deepResidual,
  explodingGradients,
  deadRelu,
];
