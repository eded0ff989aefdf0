import { cnnDigits } from './cnnDigits';
import { emptyModel } from './empty';
import { mlpClassifier } from './mlpClassifier';
import { residualMlp } from './residualMlp';
import type { ModelTemplate } from './types';

export type { ModelTemplate, NnModel, NnNode, NnEdge } from './types';

/** Every template "New Model" offers, in the order shown. */
export const templates: readonly ModelTemplate[] = [emptyModel, mlpClassifier, cnnDigits, residualMlp];
