// How each op category looks: a codicon and a CSS class whose accent colour comes from the theme's chart colours.
import type { Category } from '../../engine/graph/registry';

export const CATEGORY_ICON: Record<Category, string> = {
  Inputs: 'symbol-variable',
  Layers: 'layers',
  Activations: 'pulse',
  Normalization: 'symbol-ruler',
  Merge: 'merge',
  Math: 'symbol-operator',
  Losses: 'target',
};

export const categoryClass = (c: Category): string => `cat-${c.toLowerCase()}`;
