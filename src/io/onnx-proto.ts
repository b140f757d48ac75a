/**
 * The few ONNX protobuf messages an exported model needs, as plain data, and their encoders over
 * protobufjs's minimal Writer (what `pbjs -t static` would emit for these messages, trimmed to the
 * fields used). Field numbers are onnx/onnx.proto's. Static encoders rather than protobufjs's
 * reflection: reflection compiles its encoders with `new Function`, which a page's Content Security
 * Policy may forbid, and it would pull the parser and the reflection runtime into the bundle.
 *
 *   ModelProto { ir_version 1, producer_name 2, graph 7, opset_import 8 }
 *   GraphProto { node 1, name 2, initializer 5, input 11, output 12 }
 *   NodeProto  { input 1, output 2, name 3, op_type 4, attribute 5 }
 *   AttributeProto { name 1, f 2, i 3, ints 8, type 20 }  (FLOAT = 1, INT = 2, INTS = 7)
 *   TensorProto { dims 1, data_type 2, name 8, raw_data 9 }  (FLOAT = 1; raw data little-endian)
 *   ValueInfoProto { name 1, type 2 } → TypeProto { tensor_type 1 } → Tensor { elem_type 1, shape 2 }
 *     → TensorShapeProto { dim 1 } → Dimension { dim_value 1 | dim_param 2 }
 *   OperatorSetIdProto { domain 1, version 2 }
 */
import protobuf from 'protobufjs/minimal.js';

type Writer = protobuf.Writer;

/** TensorProto.DataType.FLOAT */
export const ONNX_FLOAT = 1;

/** A node attribute: a float (AttributeProto.FLOAT), an integer (AttributeProto.INT) or integers (INTS). */
export type OnnxAttribute =
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly ints: readonly number[] };

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

/** A float32 constant (an initializer): its dims and values, row-major. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

/** A graph input or output: a float tensor whose dimensions are sizes or named (dynamic) dimensions. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  /** The default ('ai.onnx') domain's opset version. */
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly graph: OnnxGraph;
}

/** Writes field `field` as a length-delimited sub-message encoded by `body`. */
function message(w: Writer, field: number, body: (w: Writer) => void): void {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
}

function attribute(w: Writer, a: OnnxAttribute): void {
  w.uint32((1 << 3) | 2).string(a.name);
  if ('float' in a) {
    w.uint32((2 << 3) | 5).float(a.float);
    w.uint32(20 << 3).int32(1);
  } else if ('ints' in a) {
    // onnx.proto is proto2: a repeated int64 is written unpacked, one tagged varint each.
    for (const v of a.ints) w.uint32(8 << 3).int64(v);
    w.uint32(20 << 3).int32(7);
  } else {
    w.uint32(3 << 3).int64(a.int);
    w.uint32(20 << 3).int32(2);
  }
}

function node(w: Writer, n: OnnxNode): void {
  for (const input of n.inputs) w.uint32((1 << 3) | 2).string(input);
  for (const output of n.outputs) w.uint32((2 << 3) | 2).string(output);
  w.uint32((3 << 3) | 2).string(n.name);
  w.uint32((4 << 3) | 2).string(n.opType);
  for (const a of n.attributes ?? []) message(w, 5, (m) => attribute(m, a));
}

/** Float32 values as little-endian bytes (ONNX raw_data is little-endian whatever the host). */
function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function tensor(w: Writer, t: OnnxTensor): void {
  for (const d of t.dims) w.uint32(1 << 3).int64(d);
  w.uint32(2 << 3).int32(ONNX_FLOAT);
  w.uint32((8 << 3) | 2).string(t.name);
  w.uint32((9 << 3) | 2).bytes(littleEndian(t.values));
}

function valueInfo(w: Writer, v: OnnxValueInfo): void {
  w.uint32((1 << 3) | 2).string(v.name);
  message(w, 2, (type) => message(type, 1, (tensorType) => {
    tensorType.uint32(1 << 3).int32(v.elemType);
    message(tensorType, 2, (shape) => {
      for (const d of v.dims) {
        message(shape, 1, (dim) => {
          if (typeof d === 'number') dim.uint32(1 << 3).int64(d);
          else dim.uint32((2 << 3) | 2).string(d);
        });
      }
    });
  }));
}

function graph(w: Writer, g: OnnxGraph): void {
  for (const n of g.nodes) message(w, 1, (m) => node(m, n));
  w.uint32((2 << 3) | 2).string(g.name);
  for (const t of g.initializers) message(w, 5, (m) => tensor(m, t));
  for (const v of g.inputs) message(w, 11, (m) => valueInfo(m, v));
  for (const v of g.outputs) message(w, 12, (m) => valueInfo(m, v));
}

/** The bytes of a .onnx file (a serialized ModelProto). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(1 << 3).int64(model.irVersion);
  w.uint32((2 << 3) | 2).string(model.producerName);
  message(w, 7, (m) => graph(m, model.graph));
  message(w, 8, (m) => {
    m.uint32((1 << 3) | 2).string('');
    m.uint32(2 << 3).int64(model.opsetVersion);
  });
  const out = w.finish();
  // A copy: Node's BufferWriter returns a Buffer, which may be a slice of a pool shared with others.
  return new Uint8Array(out);
}
