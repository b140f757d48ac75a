/**
 * `activation(name | { name, alpha })`: an elementwise activation as a layer of its own (the same
 * kernels dense() fuses into its epilogue). Forward y = f(x); backward ∂x = ∂y ⊙ f'(x), in place.
 */
import { ACTIVATIONS, ACTIVATION_DEFAULT_ALPHA, type ActivationName, type F32Buffer } from '../backend/contract.js';
import { Layer, type RunContext, type Scratch, type Shape } from './layers.js';
import { excerpt } from '../train/pieces.js';

/** An activation with its parameter resolved (α: sigmoid slope, leakyRelu negative slope, elu α). */
export interface ResolvedActivation {
  readonly name: ActivationName;
  readonly alpha: number;
}

/**
 * Checks an activation name and its alpha; `where` names the caller in errors. Unknown names list
 * the known ones ('softmax' explains that the softmaxCrossEntropy loss applies it).
 */
export function resolveActivation(where: string, name: unknown, alpha: unknown): ResolvedActivation {
  if (typeof name !== 'string' || !(ACTIVATIONS as readonly string[]).includes(name)) {
    const hint = name === 'softmax'
      ? " (softmax is not an elementwise activation: give the last dense layer activation 'softmax', with loss 'categoricalCrossentropy')"
      : '';
    throw new RangeError(`simdnet ${where}: unknown activation ${typeof name === 'string' ? `'${name}'` : excerpt(name)}; expected one of ${ACTIVATIONS.join(', ')}${hint}`);
  }
  const act = name as ActivationName;
  if (alpha === undefined) return { name: act, alpha: ACTIVATION_DEFAULT_ALPHA[act] };
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new RangeError(`simdnet ${where}: activationAlpha must be a finite number, got ${excerpt(alpha)}`);
  }
  return { name: act, alpha };
}

/** Options of activation() when given as an object. */
export interface ActivationOptions {
  /** The activation function. */
  name: ActivationName;
  /**
   * Its parameter, e.g. the slope a of sigmoid 1/(1+e^(−a·z)); what it is for each activation that
   * has one is the `param` of its row in ACTIVATION_TABLE (src/backend/activations.ts).
   * @default ACTIVATION_DEFAULT_ALPHA[name]
   */
  alpha?: number;
  /**
   * The layer's name (in getWeights() and summaries).
   * @default 'activation_<k>', k counting this model's activation layers from 1
   */
  layerName?: string;
}

/** An activation layer as plain data (what a saved model's topology holds). */
export interface ActivationConfig {
  readonly type: 'activation';
  readonly name: string;
  readonly activation: ActivationName;
  readonly alpha: number;
}

/** The activation layer: see activation(). */
export class ActivationLayer extends Layer {
  readonly type = 'activation';
  readonly activation: ResolvedActivation;

  constructor(options: ActivationName | ActivationOptions) {
    const o = typeof options === 'string' ? { name: options } : options;
    if (o === null || typeof o !== 'object') {
      throw new TypeError(`simdnet activation: expected an activation name or { name, alpha }, got ${excerpt(options)}`);
    }
    for (const key of Object.keys(o)) {
      if (!['name', 'alpha', 'layerName'].includes(key)) {
        throw new RangeError(`simdnet activation: unknown option '${key}'; known options: name, alpha, layerName`);
      }
    }
    super((o as ActivationOptions).layerName);
    this.activation = resolveActivation('activation', o.name, (o as ActivationOptions).alpha);
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override scratchWidths(): Record<string, number> {
    return this.activation.name === 'identity' ? {} : { y: this.inputSize };
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, _training: boolean, scratch: Scratch): F32Buffer {
    const { name, alpha } = this.activation;
    if (name === 'identity') return x;
    // A separate output: the layer before may still need x (its own output) for its backward pass.
    ctx.backend.activationForward(name, x, scratch.y, m * this.inputSize, alpha);
    return scratch.y;
  }

  backward(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number, _training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    if (!needsInputGradient) return null;
    const { name, alpha } = this.activation;
    if (name !== 'identity') ctx.backend.activationBackward(name, x, scratch.y, dy, dy, m * this.inputSize, alpha);
    return dy;
  }

  toConfig(): ActivationConfig {
    return { type: 'activation', name: this.name ?? 'activation', activation: this.activation.name, alpha: this.activation.alpha };
  }
}

/**
 * An activation layer: `activation('relu')`, or `activation({ name: 'sigmoid', alpha: 2 })` for a
 * sigmoid of slope 2. 'step' passes no gradient (see dense()).
 */
export function activation(options: ActivationName | ActivationOptions): ActivationLayer {
  return new ActivationLayer(options);
}
