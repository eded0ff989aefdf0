/**
 * The part of the ONNX protobuf schema (onnx.proto, package `onnx`, proto3 as onnx.proto3 writes it) that an
 * exported model uses, as a protobufjs JSON descriptor: message and field names and numbers exactly as in
 * onnx.proto, so the bytes are a valid ModelProto for every ONNX reader. Fields this export never writes
 * (sparse tensors, training info, functions, external data, ...) are left out; a reader skips nothing because
 * nothing else is written. Kept in TypeScript rather than read from a .proto file so that it bundles into the
 * command line and the extension with no file beside them.
 */
import type { INamespace } from 'protobufjs/light';

/** TensorProto.DataType values. */
export const DATA_TYPE = { float32: 1, int32: 6, int64: 7 } as const;

/** AttributeProto.AttributeType values. */
export const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

const f = (type: string, id: number, rule?: 'repeated') => (rule ? { type, id, rule } : { type, id });

export const ONNX_SCHEMA: INamespace = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: f('string', 1),
            f: f('float', 2),
            i: f('int64', 3),
            s: f('bytes', 4),
            floats: f('float', 7, 'repeated'),
            ints: f('int64', 8, 'repeated'),
            doc_string: f('string', 13),
            type: f('int32', 20),
          },
        },
        ValueInfoProto: {
          fields: { name: f('string', 1), type: f('TypeProto', 2), doc_string: f('string', 3) },
        },
        NodeProto: {
          fields: {
            input: f('string', 1, 'repeated'),
            output: f('string', 2, 'repeated'),
            name: f('string', 3),
            op_type: f('string', 4),
            attribute: f('AttributeProto', 5, 'repeated'),
            doc_string: f('string', 6),
            domain: f('string', 7),
          },
        },
        ModelProto: {
          fields: {
            ir_version: f('int64', 1),
            producer_name: f('string', 2),
            producer_version: f('string', 3),
            domain: f('string', 4),
            model_version: f('int64', 5),
            doc_string: f('string', 6),
            graph: f('GraphProto', 7),
            opset_import: f('OperatorSetIdProto', 8, 'repeated'),
            metadata_props: f('StringStringEntryProto', 14, 'repeated'),
          },
        },
        StringStringEntryProto: {
          fields: { key: f('string', 1), value: f('string', 2) },
        },
        GraphProto: {
          fields: {
            node: f('NodeProto', 1, 'repeated'),
            name: f('string', 2),
            initializer: f('TensorProto', 5, 'repeated'),
            doc_string: f('string', 10),
            input: f('ValueInfoProto', 11, 'repeated'),
            output: f('ValueInfoProto', 12, 'repeated'),
            value_info: f('ValueInfoProto', 13, 'repeated'),
          },
        },
        TensorProto: {
          fields: {
            dims: f('int64', 1, 'repeated'),
            data_type: f('int32', 2),
            name: f('string', 8),
            raw_data: f('bytes', 9),
            doc_string: f('string', 12),
          },
        },
        TensorShapeProto: {
          fields: { dim: f('Dimension', 1, 'repeated') },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: { dim_value: f('int64', 1), dim_param: f('string', 2), denotation: f('string', 3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: { tensor_type: f('Tensor', 1), denotation: f('string', 6) },
          nested: {
            Tensor: { fields: { elem_type: f('int32', 1), shape: f('TensorShapeProto', 2) } },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: f('string', 1), version: f('int64', 2) },
        },
      },
    },
  },
};
