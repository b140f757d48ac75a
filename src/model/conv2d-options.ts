/** The options and the saved config of conv2d() (src/model/conv2d.ts). */
import type { ActivationName } from '../backend/contract.js';
import type { Initializer, PieceConfig, Regularizer } from '../train/types.js';
import type { PieceSpec } from './resolve.js';
import type { Pair, Padding } from './conv-geometry.js';

/** Options of conv2d(). */
export interface Conv2dOptions {
  /** The number of filters: the output channels. */
  filters: number;
  /** The kernel's height and width (one number for a square kernel). */
  kernelSize: Pair;
  /**
   * The step between windows, [down, across] or one number for both.
   * @default 1
   */
  strides?: Pair;
  /**
   * 'valid': only windows wholly inside the image (output (h − kh)/stride + 1); 'same': the image is
   * zero-padded so the output is ⌈h / stride⌉ (TensorFlow's rule: the odd pad goes after).
   * @default 'valid'
   */
  padding?: Padding;
  /**
   * The spacing between a kernel's taps (atrous convolution), one number or [h, w].
   * @default 1
   */
  dilation?: Pair;
  /**
   * The activation f applied after the bias (elementwise; not 'softmax').
   * @default 'identity'
   */
  activation?: ActivationName;
  /**
   * The activation's parameter (sigmoid's slope, leakyRelu's negative slope, elu's α).
   * @default ACTIVATION_DEFAULT_ALPHA[activation]
   */
  activationAlpha?: number;
  /**
   * Whether the layer has a bias b (one per filter).
   * @default true
   */
  useBias?: boolean;
  /**
   * How W is initialised (fanIn = kh·kw·inC, fanOut = kh·kw·filters, as Keras).
   * @default 'glorotUniform'
   */
  kernelInitializer?: PieceSpec<Initializer>;
  /**
   * How b is initialised.
   * @default 'zeros'
   */
  biasInitializer?: PieceSpec<Initializer>;
  /**
   * A penalty on W (e.g. l2(1e-4)); null for none.
   * @default null
   */
  kernelRegularizer?: PieceSpec<Regularizer> | null;
  /**
   * A penalty on b; null for none.
   * @default null
   */
  biasRegularizer?: PieceSpec<Regularizer> | null;
  /**
   * Keras's input shape of one row, [height, width, channels], on the first layer instead of
   * sequential()'s inputShape option.
   * @default none
   */
  inputShape?: readonly number[];
  /**
   * The layer's name (prefixes its weights' names: 'conv2d_1/kernel').
   * @default 'conv2d_<k>', k counting this model's conv2d layers from 1
   */
  name?: string;
}

export const CONV2D_OPTIONS = [
  'filters', 'kernelSize', 'strides', 'padding', 'dilation', 'activation', 'activationAlpha', 'useBias',
  'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'inputShape', 'name',
];

/** A conv2d layer as plain data (what a saved model's topology holds). */
export interface Conv2dConfig {
  /** Always 'conv2d'. */
  readonly type: 'conv2d';
  /** The layer's name in its model. */
  readonly name: string;
  /** Output channels. */
  readonly filters: number;
  /** [kh, kw]. */
  readonly kernelSize: readonly [number, number];
  /** [down, across]. */
  readonly strides: readonly [number, number];
  /** 'valid' or 'same'. */
  readonly padding: Padding;
  /** [h, w] spacing of the taps. */
  readonly dilation: readonly [number, number];
  /** The activation after the bias. */
  readonly activation: ActivationName;
  /** The activation's parameter. */
  readonly activationAlpha: number;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** The kernel's initializer, as plain data. */
  readonly kernelInitializer: PieceConfig;
  /** The bias's initializer, as plain data. */
  readonly biasInitializer: PieceConfig;
  /** The kernel's regularizer, or null. */
  readonly kernelRegularizer: PieceConfig | null;
  /** The bias's regularizer, or null. */
  readonly biasRegularizer: PieceConfig | null;
}
