/**
 * An ONNX model as plain objects: what the ONNX lowering builds and what common/onnx/encode.ts turns into
 * protobuf bytes (the engine has no runtime dependencies, so the encoding lives outside it). Field meanings
 * follow onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto).
 */

/** The operator set every exported model imports (the default ONNX domain). */
export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;
/** The symbolic name of the batch dimension in the graph's inputs and outputs. */
export const BATCH_DIM = 'N';

export type OnnxDType = 'float32' | 'int32' | 'int64';

/** An attribute value, tagged with its ONNX attribute type. */
export type OnnxAttr =
  { type: 'int'; value: number } | { type: 'ints'; value: readonly number[] } | { type: 'float'; value: number } | { type: 'string'; value: string };

export interface OnnxNode {
  /** The ONNX operator, e.g. 'Gemm'. */
  op: string;
  /** Unique within the graph (the name of its first output). */
  name: string;
  /** Value names; '' leaves an optional input out. */
  inputs: readonly string[];
  outputs: readonly string[];
  /** In the order written. */
  attrs: readonly (readonly [string, OnnxAttr])[];
}

/** A constant: a parameter, a buffer, or a value an op needs (a shape, an axis list, a formula's constant). */
export interface OnnxTensor {
  name: string;
  dtype: OnnxDType;
  dims: readonly number[];
  /** Row-major; int64 values are small integers here (shapes and axes). */
  values: Float32Array | readonly number[];
}

/** A graph input or output: its element type and shape, BATCH_DIM standing for the batch. */
export interface OnnxValueInfo {
  name: string;
  dtype: OnnxDType;
  shape: readonly (number | string)[];
  doc?: string;
}

export interface OnnxGraph {
  name: string;
  doc: string;
  /** Topologically sorted. */
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  doc: string;
  graph: OnnxGraph;
  /** ModelProto.metadata_props, in order. */
  metadata: readonly (readonly [string, string])[];
}

export const int = (value: number): OnnxAttr => ({ type: 'int', value });
export const ints = (value: readonly number[]): OnnxAttr => ({ type: 'ints', value });
export const float = (value: number): OnnxAttr => ({ type: 'float', value });
