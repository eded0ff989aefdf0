// The model-file types the protocol needs, re-exported without pulling in the engine's runtime.
export type { NodeJson, EdgeJson, ModelJson, TensorJson } from './types';
export type { AttrValue } from './attrs';
