/** A model as plain data (what format.ts encodes), taken from its parts; Sequential.snapshot() and toConfig(). */
import type { TrainingState } from '../train/training-state.js';
import type { Compiled } from './compile.js';
import type { LayerConfig } from './layer-registry.js';
import type { Layer, Shape } from './layers.js';
import { metricSpecs } from './metrics.js';
import type { Network } from './network.js';
import type { ModelSnapshot, ModelTopology } from './format.js';

/** The architecture as plain data (inputShape only when the input has more than one axis). */
export function topologyOf(layers: readonly Layer[], inputShape: Shape, inputSize: number, seed: number): ModelTopology {
  const configs = layers.map((l) => l.toConfig() as LayerConfig);
  return inputShape.length > 1 ? { inputSize, seed, layers: configs, inputShape: [...inputShape] } : { inputSize, seed, layers: configs };
}

/** Everything a saved model holds, copied: topology, compile settings, counters, weights, optimizer state, layer state. */
export function snapshotOf(topology: ModelTopology, network: Network, compiled: Compiled | null, state: TrainingState): ModelSnapshot {
  const snapshot: ModelSnapshot = {
    topology,
    compile: compiled === null ? null : {
      loss: compiled.loss.name, optimizer: compiled.optimizer.config, metrics: metricSpecs({ names: compiled.metrics, k: compiled.topK }),
    },
    training: { epochs: state.epochs, batches: state.batches, dropoutStream: network.dropoutStream },
    weights: network.entries.map((e) => ({ name: e.name, shape: [...e.shape] })),
    flatWeights: network.params.data.slice(0, network.size),
    optimizerState: compiled?.optimizer.getState() ?? null,
  };
  if (network.state === null) return snapshot;
  const tensors = network.stateEntries.map((e) => ({ name: e.name, shape: [...e.shape] }));
  return { ...snapshot, layerState: { tensors, values: network.stateValues() } };
}
