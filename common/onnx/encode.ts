/**
 * An ONNX model (engine/codegen/onnx/model.ts, plain objects) to the bytes of an .onnx file: a ModelProto
 * encoded with protobufjs over the schema in ./schema.ts. Tensor values go in raw_data, little-endian, as
 * onnx.proto prescribes. Deterministic: fields in schema order, repeated fields in the model's order.
 */
import * as protobuf from 'protobufjs/light';
import type { OnnxAttr, OnnxModel, OnnxTensor, OnnxValueInfo } from '../../engine/codegen/onnx/model';
import { ATTRIBUTE_TYPE, DATA_TYPE, ONNX_SCHEMA } from './schema';

let modelType: protobuf.Type | null = null;
const ModelProto = () => (modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto'));

function rawData(t: OnnxTensor): Uint8Array {
  const n = t.values.length;
  const size = t.dtype === 'int64' ? 8 : 4;
  const view = new DataView(new ArrayBuffer(n * size));
  for (let i = 0; i < n; i++) {
    const v = t.values[i];
    if (t.dtype === 'float32') view.setFloat32(4 * i, v, true);
    else if (t.dtype === 'int32') view.setInt32(4 * i, v, true);
    else view.setBigInt64(8 * i, BigInt(v), true);
  }
  return new Uint8Array(view.buffer);
}

function attribute(name: string, a: OnnxAttr): Record<string, unknown> {
  const type = ATTRIBUTE_TYPE[a.type];
  switch (a.type) {
    case 'int':
      return { name, type, i: a.value };
    case 'ints':
      return { name, type, ints: [...a.value] };
    case 'float':
      return { name, type, f: a.value };
    case 'string':
      return { name, type, s: new TextEncoder().encode(a.value) };
  }
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: { tensor_type: { elem_type: DATA_TYPE[v.dtype], shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
    ...(v.doc ? { doc_string: v.doc } : {}),
  };
}

export function encodeOnnx(model: OnnxModel): Uint8Array {
  const g = model.graph;
  const message = {
    ir_version: model.irVersion,
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    doc_string: model.doc,
    graph: {
      name: g.name,
      doc_string: g.doc,
      node: g.nodes.map((n) => ({
        name: n.name,
        op_type: n.op,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: n.attrs.map(([k, a]) => attribute(k, a)),
      })),
      initializer: g.initializers.map((t) => ({ name: t.name, data_type: DATA_TYPE[t.dtype], dims: [...t.dims], raw_data: rawData(t) })),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
    opset_import: [{ domain: '', version: model.opset }],
    metadata_props: model.metadata.map(([key, value]) => ({ key, value })),
  };
  const type = ModelProto();
  const problem = type.verify(message);
  if (problem) throw new Error(`ONNX export: the model does not fit the ONNX schema: ${problem}`);
  return type.encode(type.fromObject(message)).finish();
}
