/**
 * A Sequential model as an ONNX graph (opset 17, IR version 8): what ONNX Runtime, onnx2tf and the
 * other ONNX tools load. The graph computes what simdnet computes at inference: one input
 * `input` [batch, ...inputShape] (batch a dynamic dimension), one output `output`.
 *
 * Each layer type maps to ONNX ops through one table (ONNX_LAYERS), each activation through another
 * (ONNX_ACTIVATIONS), so a new layer is one entry there. Rows stay in simdnet's layout (row-major,
 * channels last): a dense layer on a multi-axis row is a Flatten, then a Gemm, as simdnet takes the
 * row flat; conv2d, the pools and batch normalization of an image go to ONNX's NCHW ops and back.
 *
 * This module pulls protobufjs in; the package's `exportOnnx` (onnx-export.ts) loads it on first use,
 * so apps that never export do not download it.
 */
import type { ActivationName } from '../backend/contract.js';
import type { LayerConfig } from '../model/layer-registry.js';
import type { Shape } from '../model/layers.js';
import type { Sequential } from '../model/sequential.js';
import type { WeightTensor } from '../model/weights.js';
import { encodeOnnxModel, ONNX_FLOAT, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import type { ResolvedOnnxOptions } from './onnx-options.js';

const OPSET = 17;
const IR_VERSION = 8;
const f32 = Math.fround;

/** A tensor in the graph as a layer sees it: its name and the shape of one row. */
interface Value {
  readonly name: string;
  readonly shape: Shape;
}

/** Collects the nodes and initializers of one graph, naming each after the layer that makes it. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly scalars = new Map<number, string>();
  private readonly used = new Set<string>();

  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node `${scope}/${opType}` and returns the name of its (single) output. */
  op(scope: string, opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = []): string {
    const name = this.fresh(`${scope}/${opType}`);
    this.nodes.push({ opType, name, inputs, outputs: [name], attributes });
    return name;
  }

  /** An initializer (a weight tensor). */
  tensor(name: string, dims: readonly number[], values: Float32Array): string {
    this.initializers.push({ name: this.fresh(name), dims, values });
    return this.initializers[this.initializers.length - 1].name;
  }

  /** A scalar float constant, shared by every node that uses the same value. */
  scalar(value: number): string {
    const v = f32(value);
    let name = this.scalars.get(v);
    if (name === undefined) {
      name = this.tensor(`const_${this.scalars.size}`, [], Float32Array.of(v));
      this.scalars.set(v, name);
    }
    return name;
  }
}

/**
 * ONNX ops for each activation, exactly as simdnet computes it (src/backend/activations.ts). A
 * Record over every name, so a new activation fails the type check until it has its ops here.
 */
const ONNX_ACTIVATIONS: { readonly [A in ActivationName]: (g: GraphBuilder, scope: string, x: string, alpha: number) => string } = {
  identity: (_g, _s, x) => x,
  // step(x) = 1 for x ≥ 0 (step(0) = 1), else 0.
  step: (g, s, x) => g.op(s, 'Cast', [g.op(s, 'GreaterOrEqual', [x, g.scalar(0)])], [{ name: 'to', int: ONNX_FLOAT }]),
  // σ(a·x): ONNX's Sigmoid has no slope.
  sigmoid: (g, s, x, a) => g.op(s, 'Sigmoid', [f32(a) === 1 ? x : g.op(s, 'Mul', [x, g.scalar(a)])]),
  tanh: (g, s, x) => g.op(s, 'Tanh', [x]),
  relu: (g, s, x) => g.op(s, 'Relu', [x]),
  leakyRelu: (g, s, x, a) => g.op(s, 'LeakyRelu', [x], [{ name: 'alpha', float: a }]),
  elu: (g, s, x, a) => g.op(s, 'Elu', [x], [{ name: 'alpha', float: a }]),
  // The exact form x·½(1 + erf(x/√2)); opset 20's Gelu would say the same in one op, but fewer
  // runtimes have it.
  gelu: (g, s, x) => {
    const erf = g.op(s, 'Erf', [g.op(s, 'Mul', [x, g.scalar(Math.SQRT1_2)])]);
    return g.op(s, 'Mul', [x, g.op(s, 'Mul', [g.op(s, 'Add', [erf, g.scalar(1)]), g.scalar(0.5)])]);
  },
  softplus: (g, s, x) => g.op(s, 'Softplus', [x]),
  silu: (g, s, x) => g.op(s, 'Mul', [x, g.op(s, 'Sigmoid', [x])]),
  // clip(a·x + ½, 0, 1): ONNX's HardSigmoid with alpha = a, beta = ½.
  hardSigmoid: (g, s, x, a) => g.op(s, 'HardSigmoid', [x], [{ name: 'alpha', float: a }, { name: 'beta', float: 0.5 }]),
  // x·tanh(softplus(x)), composed: Mish is an op only from opset 18.
  mish: (g, s, x) => g.op(s, 'Mul', [x, g.op(s, 'Tanh', [g.op(s, 'Softplus', [x])])]),
};

/** What a layer's ops see: the graph and the model's weights by name ('dense_1/kernel'). */
interface LayerContext {
  readonly graph: GraphBuilder;
  readonly weights: ReadonlyMap<string, WeightTensor>;
  /** The softmax dense layer whose raw logits are the output ('logits' asked of a softmax head), or null. */
  readonly rawLogitsOf: string | null;
}

/** A layer's ops: from its input value to its output value; `out` is the layer's output row shape. */
type LayerOps<C extends LayerConfig> = (ctx: LayerContext, config: C, x: Value, out: Shape) => Value;

// simdnet's images are NHWC; ONNX's Conv, pools and BatchNormalization take NCHW: each image layer
// transposes in and back out (a runtime fuses or elides the pairs between consecutive image layers).
const toNchw = (g: GraphBuilder, scope: string, x: string): string => g.op(scope, 'Transpose', [x], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
const toNhwc = (g: GraphBuilder, scope: string, x: string): string => g.op(scope, 'Transpose', [x], [{ name: 'perm', ints: [0, 2, 3, 1] }]);

/** ONNX pads [top, left, bottom, right] of TensorFlow's 'same' rule (the odd one after), or zeros for 'valid'. */
function padsOf(padding: 'valid' | 'same', input: Shape, out: Shape, k: readonly number[], s: readonly number[], d: readonly number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const total = [0, 1].map((a) => Math.max(0, (out[a] - 1) * s[a] + (k[a] - 1) * d[a] + 1 - input[a]));
  return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
}

/** A max or average pool over the window of config `c`, in NCHW between two transposes. */
function pool(op: 'MaxPool' | 'AveragePool') {
  return (ctx: LayerContext, c: { name: string; poolSize: readonly number[]; strides: readonly number[]; padding: 'valid' | 'same' }, x: Value, out: Shape): Value => {
    const g = ctx.graph;
    const attrs = [
      { name: 'kernel_shape', ints: c.poolSize }, { name: 'strides', ints: c.strides }, { name: 'pads', ints: padsOf(c.padding, x.shape, out, c.poolSize, c.strides, [1, 1]) },
    ];
    // AveragePool's count_include_pad is 0 by default: the mean of the taps inside, as simdnet's.
    return { name: toNhwc(g, c.name, g.op(c.name, op, [toNchw(g, c.name, x.name)], attrs)), shape: out };
  };
}

/** A row of more than one axis as one axis (Flatten keeps the batch axis). */
function flat(g: GraphBuilder, scope: string, x: Value): Value {
  return x.shape.length === 1 ? x : { name: g.op(scope, 'Flatten', [x.name], [{ name: 'axis', int: 1 }]), shape: [x.shape.reduce((a, b) => a * b, 1)] };
}

function weight(ctx: LayerContext, layer: string, param: string): WeightTensor {
  const w = ctx.weights.get(`${layer}/${param}`);
  if (w === undefined) throw new Error(`simdnet exportOnnx: layer '${layer}' has no weight '${param}'`);
  return w;
}

/**
 * The ops of each layer type. Partial on purpose: a layer type without an entry is refused by name
 * at export (an unsupported layer is an error, never a silently different graph).
 */
const ONNX_LAYERS: { readonly [T in LayerConfig['type']]?: LayerOps<Extract<LayerConfig, { type: T }>> } = {
  dense: (ctx, c, input) => {
    const g = ctx.graph;
    const x = flat(g, c.name, input);
    const kernel = weight(ctx, c.name, 'kernel');
    const w = g.tensor(kernel.name, kernel.shape, kernel.values);
    let z: string;
    if (c.useBias) {
      const bias = weight(ctx, c.name, 'bias');
      z = g.op(c.name, 'Gemm', [x.name, w, g.tensor(bias.name, bias.shape, bias.values)]);
    } else {
      z = g.op(c.name, 'MatMul', [x.name, w]);
    }
    if (c.activation === 'softmax') {
      // Keras's classifier head: a softmax over the row, unless its logits were asked for.
      return { name: ctx.rawLogitsOf === c.name ? z : g.op(`${c.name}_softmax`, 'Softmax', [z], [{ name: 'axis', int: -1 }]), shape: [c.units] };
    }
    return { name: ONNX_ACTIVATIONS[c.activation](g, c.name, z, c.activationAlpha), shape: [c.units] };
  },
  activation: (ctx, c, x) => ({ name: ONNX_ACTIVATIONS[c.activation](ctx.graph, c.name, x.name, c.alpha), shape: x.shape }),
  // Dropout is the identity at inference.
  dropout: (_ctx, _c, x) => x,
  flatten: (ctx, c, x) => flat(ctx.graph, c.name, x),
  conv2d: (ctx, c, x, out) => {
    const g = ctx.graph;
    const kernel = weight(ctx, c.name, 'kernel');
    const [kh, kw, cin, cout] = kernel.shape;
    // simdnet's [kh, kw, in, out] kernel as ONNX's [out, in, kh, kw].
    const oihw = new Float32Array(kernel.values.length);
    for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
      oihw[((o * cin + i) * kh + y) * kw + z] = kernel.values[((y * kw + z) * cin + i) * cout + o];
    }
    const inputs = [toNchw(g, c.name, x.name), g.tensor(kernel.name, [cout, cin, kh, kw], oihw)];
    if (c.useBias) {
      const bias = weight(ctx, c.name, 'bias');
      inputs.push(g.tensor(bias.name, bias.shape, bias.values));
    }
    const conv = g.op(c.name, 'Conv', inputs, [
      { name: 'kernel_shape', ints: c.kernelSize }, { name: 'strides', ints: c.strides }, { name: 'dilations', ints: c.dilation },
      { name: 'pads', ints: padsOf(c.padding, x.shape, out, c.kernelSize, c.strides, c.dilation) },
    ]);
    return { name: ONNX_ACTIVATIONS[c.activation](g, c.name, toNhwc(g, c.name, conv), c.activationAlpha), shape: out };
  },
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  globalAvgPool2d: (ctx, c, x, out) => {
    const g = ctx.graph;
    return { name: g.op(c.name, 'Flatten', [g.op(c.name, 'GlobalAveragePool', [toNchw(g, c.name, x.name)])], [{ name: 'axis', int: 1 }]), shape: out };
  },
  batchNormalization: (ctx, c, x, out) => {
    const g = ctx.graph;
    const channels = x.shape[x.shape.length - 1];
    const param = (name: string, fallback: number) => {
      const w = ctx.weights.get(`${c.name}/${name}`);
      return g.tensor(`${c.name}/${name}`, [channels], w?.values ?? new Float32Array(channels).fill(fallback));
    };
    const inputs = [param('gamma', 1), param('beta', 0), param('movingMean', 0), param('movingVariance', 1)];
    // ONNX's BatchNormalization normalizes axis 1: an image goes NCHW and back; a vector row [C] is [N, C] already.
    const image = x.shape.length === 3;
    if (x.shape.length !== 1 && !image) throw new RangeError(`simdnet exportOnnx: layer '${c.name}' (batchNormalization) on a row of shape [${x.shape.join(', ')}] has no ONNX form yet (rows [c] and images [h, w, c] do)`);
    const y = g.op(c.name, 'BatchNormalization', [image ? toNchw(g, c.name, x.name) : x.name, ...inputs], [{ name: 'epsilon', float: c.epsilon }]);
    return { name: image ? toNhwc(g, c.name, y) : y, shape: out };
  },
};

/** The layer types exportOnnx() covers. */
export const ONNX_LAYER_TYPES: readonly string[] = Object.keys(ONNX_LAYERS);

/**
 * The bytes of a `.onnx` file computing `model`'s outputs (see the file comment and OnnxOptions).
 * The package exports `exportOnnx` (onnx-export.ts), which resolves the options and loads this module
 * on first use; this module imports nothing of the library at run time, so it is a chunk of its own.
 */
export function encodeOnnx(model: Sequential, o: ResolvedOnnxOptions): Uint8Array {
  const g = new GraphBuilder();
  // The weights, and the layers' state (batch normalization's moving statistics) under its names.
  const state = model.network.stateValues();
  const stateTensors = model.network.stateEntries.map((e) => ({ name: e.name, shape: e.shape, values: state.slice(e.offset, e.offset + e.length) }));
  const weights = new Map([...model.getWeights(), ...stateTensors].map((w) => [w.name, w]));
  const head = model.layers.length > 0 ? (model.layers[model.layers.length - 1].toConfig() as LayerConfig) : null;
  const softmaxHead = head !== null && head.type === 'dense' && head.activation === 'softmax' ? head.name : null;
  const ctx: LayerContext = { graph: g, weights, rawLogitsOf: o.outputs === 'logits' ? softmaxHead : null };
  const inputName = 'input';
  let x: Value = { name: inputName, shape: model.inputShape };
  for (const layer of model.layers) {
    const config = layer.toConfig() as LayerConfig;
    const ops = ONNX_LAYERS[config.type] as LayerOps<LayerConfig> | undefined;
    if (ops === undefined) {
      throw new RangeError(`simdnet exportOnnx: layer '${config.name}' is of type '${config.type}', which has no ONNX form yet; exportOnnx covers ${ONNX_LAYER_TYPES.join(', ')}`);
    }
    x = ops(ctx, config, x, layer.outputShape);
  }
  if (softmaxHead !== null) {
    // The head computed the probabilities (or its logits were asked for): nothing to append.
  } else if (o.outputs === 'probabilities' && o.probabilities === 'softmax') {
    // simdnet's softmax runs over the whole (flat) row, as predict() does.
    const row = flat(g, 'output', x);
    x = { name: g.op('output', 'Softmax', [row.name], [{ name: 'axis', int: -1 }]), shape: row.shape };
  } else if (o.outputs === 'probabilities') {
    x = { name: g.op('output', 'Sigmoid', [x.name]), shape: x.shape };
  }
  const outputName = 'output';
  const last = g.nodes.at(-1);
  if (last === undefined || x.name === inputName || last.outputs[0] !== x.name) {
    // No op computes the output (a model of identities): a graph output must be a node's output.
    g.op('output', 'Identity', [x.name]);
  }
  const final = g.nodes[g.nodes.length - 1];
  g.nodes[g.nodes.length - 1] = { ...final, outputs: [outputName] };
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opsetVersion: OPSET,
    producerName: 'simdnet',
    graph: {
      name: 'simdnet',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: inputName, elemType: ONNX_FLOAT, dims: ['batch', ...model.inputShape] }],
      outputs: [{ name: outputName, elemType: ONNX_FLOAT, dims: ['batch', ...x.shape] }],
    },
  });
}
