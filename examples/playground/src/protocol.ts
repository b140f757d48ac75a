/**
 * The messages between the page and the training worker. Every message from the worker carries the
 * `run` of the configure message it belongs to, so the page drops what an older run still sends.
 */
import type { Bounds } from './setup.js';
import type { Settings } from './settings.js';
import type { NeuronView } from './network.js';

export type ToWorker =
  /** Build the data and a fresh model (stops a running training first). */
  | { readonly type: 'configure'; readonly run: number; readonly settings: Settings }
  /** Train epoch after epoch until paused. */
  | { readonly type: 'play' }
  /** Stop after the current epoch. */
  | { readonly type: 'pause' }
  /** Train one epoch. */
  | { readonly type: 'step' }
  /** Change the pace of a running training (takes effect at once, without a new run). */
  | { readonly type: 'pace'; readonly pace: Settings['pace'] };

/** One point of the curves: the state after `epoch` epochs. */
export interface EpochPoint {
  readonly epoch: number;
  /** Training loss: the mean over the epoch's batches (as Keras reports it); at epoch 0, evaluated. */
  readonly loss: number;
  readonly accuracy: number;
  /** Test loss and accuracy, evaluated after the epoch (dropout off). */
  readonly testLoss: number;
  readonly testAccuracy: number;
  /** The learning rate of the epoch's last update (at epoch 0: the first update's). */
  readonly lr: number;
}

/** The data of a new run, sent once after configure. */
export interface DatasetMessage {
  readonly type: 'dataset';
  readonly run: number;
  readonly classes: number;
  readonly bounds: Bounds;
  readonly train: { readonly x: Float32Array; readonly y: Int32Array };
  readonly test: { readonly x: Float32Array; readonly y: Int32Array };
  readonly parameters: number;
  readonly backend: Settings['backend'];
}

/** Progress: new curve points and the heat map at the current weights. */
export interface FrameMessage {
  readonly type: 'frame';
  readonly run: number;
  /** Epochs and optimizer steps done. */
  readonly epoch: number;
  readonly steps: number;
  /** Points since the previous frame (in order; the first frame of a run holds epoch 0). */
  readonly points: readonly EpochPoint[];
  /**
   * The heat map: for each of gridSize² cells (row-major from the top-left), `outputs` values: class
   * probabilities for a network, the neuron's output (read as P(class 1)) for a neuron.
   */
  readonly grid: Float32Array;
  readonly gridSize: number;
  readonly outputs: number;
  /** Every neuron's output over the input plane and the weights, for the diagram (null: unchanged since the last one). */
  readonly neurons: NeuronView | null;
  /** Optimizer steps per second of wall time over the last second of play (0 when not playing). */
  readonly stepsPerSec: number;
  /** The training loss of the model's first epoch (null before it), for comparing backends. */
  readonly firstEpochLoss: number | null;
  readonly playing: boolean;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly run: number;
  readonly message: string;
  /** True when training diverged (a setting to change, not a bug). */
  readonly diverged: boolean;
}

export type FromWorker = DatasetMessage | FrameMessage | ErrorMessage;
