/** The JSON Schema of *.nn.json, generated from the op registry (shipped as dist/nn-graph.schema.json). */
import '../layers';
import { attrSchema } from './attrs';
import { allOps } from './registry';
import { FORMAT, FORMAT_VERSION } from './types';
import { INPUT_FEATURES } from '../data/features';
import { INLINE_MAX_ROWS } from '../data/inline';
import { DATASET_SOURCES } from '../data/spec';

export function buildJsonSchema(): Record<string, unknown> {
  const nodeVariants = allOps().map((spec) => {
    const required = spec.attrs.filter((a) => a.default === undefined && !a.optional).map((a) => a.name);
    return {
      if: { properties: { op: { const: spec.op } }, required: ['op'] },
      then: {
        properties: {
          attrs: {
            type: 'object',
            description: spec.summary,
            additionalProperties: false,
            properties: Object.fromEntries(spec.attrs.map((a) => [a.name, attrSchema(a)])),
            ...(required.length ? { required } : {}),
          },
        },
        ...(required.length ? { required: ['attrs'] } : {}),
      },
    };
  });
  const tensor = {
    type: 'object',
    required: ['shape', 'data'],
    properties: { shape: { type: 'array', items: { type: 'integer', minimum: 0 } }, data: { type: 'array', items: { type: 'number' } } },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Backprop Studio model (*.nn.json)',
    type: 'object',
    required: ['format', 'version', 'nodes', 'edges'],
    properties: {
      format: { const: FORMAT, description: 'Always "nn-graph".' },
      version: { type: 'integer', minimum: 1, maximum: FORMAT_VERSION, description: 'Format version.' },
      name: { type: 'string' },
      description: {
        type: 'string',
        description: 'A note for the reader: what the model is for, what to look for (the editor shows it with nothing selected).',
      },
      nodes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'op'],
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Unique node id; a valid identifier.' },
            op: { enum: allOps().map((s) => s.op), description: 'The layer or operation.' },
            attrs: { type: 'object' },
            ui: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, description: 'Editor layout.' },
          },
          allOf: nodeVariants,
        },
      },
      edges: {
        type: 'array',
        items: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: {
            from: { type: 'string', description: 'Source node id.' },
            to: { type: 'string', description: 'Target node id.' },
            port: { type: 'integer', minimum: 0, default: 0, description: "Index of the target's input." },
          },
        },
      },
      params: { type: 'object', additionalProperties: tensor, description: 'Inline parameters keyed "<nodeId>.<name>" (PyTorch names).' },
      weights: { type: 'string', description: 'Sidecar safetensors file with the parameters, relative to this file.' },
      training: {
        type: 'object',
        properties: {
          seed: { type: 'integer', minimum: 0, default: 0 },
          l1: {
            type: 'number',
            minimum: 0,
            default: 0,
            description: 'L1 rate: dataset training adds l1·Σ|w| over the Linear, Conv2d and Embedding weights to the loss.',
          },
          dataset: {
            type: 'object',
            properties: {
              source: { enum: [...DATASET_SOURCES], description: 'What trains the model: a generated 2-D set, "digits", a "csv" file, or "inline" rows.' },
              rows: {
                type: 'array',
                minItems: 1,
                maxItems: INLINE_MAX_ROWS,
                items: { type: 'array', minItems: 2, items: { type: 'number' } },
                description: `"inline" only: one row a sample, the Input's values then the label, e.g. [[0, 0, 0], [0, 1, 1]]; at most ${INLINE_MAX_ROWS} rows.`,
              },
              inputFeatures: {
                type: 'array',
                items: { enum: [...INPUT_FEATURES] },
                minItems: 1,
                uniqueItems: true,
                description: 'The 2-D sets: the features of each point the Input receives, in order (default ["x1", "x2"]); the Input has shape [k].',
              },
            },
          },
          optimizer: {
            type: 'object',
            required: ['type'],
            properties: {
              type: { enum: ['SGD', 'Adam', 'AdamW'] },
              lr: { type: 'number', exclusiveMinimum: 0 },
              momentum: { type: 'number', minimum: 0 },
              dampening: { type: 'number', minimum: 0, maximum: 1 },
              weightDecay: { type: 'number', minimum: 0 },
              nesterov: { type: 'boolean' },
              betas: { type: 'array', items: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, minItems: 2, maxItems: 2 },
              eps: { type: 'number', exclusiveMinimum: 0 },
            },
          },
        },
      },
    },
  };
}
