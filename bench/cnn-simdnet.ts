/**
 * bench:cnn's own contender: the CnnSpec as a simdnet sequential (conv2d + ReLU, maxPool2d, ...,
 * flatten, dense), trained with fit() by SGD on softmax cross-entropy; the shared initial weights of
 * the bench are this model's initialisation (He-normal kernels for the ReLU layers, Glorot-uniform
 * for the logits, zero biases).
 */
import { conv2d, dense, flatten, maxPool2d, sequential, sgd, type Layer, type ReadyBackend, type Sequential, type WeightTensor } from '../src/index.js';
import type { CnnSpec } from './cnn-contenders.js';
import type { Trainer } from './train-contenders.js';

/** The spec as a compiled simdnet model on `backend`, initialised from `seed`. */
export function simdnetCnn(backend: ReadyBackend, spec: CnnSpec, seed: number): Sequential {
  const layers: Layer[] = [];
  for (const { filters, kernel } of spec.convs) {
    layers.push(conv2d({ filters, kernelSize: kernel, activation: 'relu', kernelInitializer: 'heNormal' }), maxPool2d({ poolSize: 2 }));
  }
  layers.push(flatten());
  for (const units of spec.dense) layers.push(dense({ units, activation: 'relu', kernelInitializer: 'heNormal' }));
  layers.push(dense({ units: spec.outputs }));
  const model = sequential(layers, { inputShape: spec.inputShape, backend, seed });
  model.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: spec.lr }) });
  return model;
}

export function simdnetCnnTrainer(backend: ReadyBackend, spec: CnnSpec, weights: readonly WeightTensor[], seed: number): Trainer {
  const model = simdnetCnn(backend, spec, seed);
  model.setWeights(weights);
  return {
    async train(seg, marks) {
      // onEpochBegin runs after fit() has copied the segment into backend memory: the copy is not timed.
      await model.fit(seg.x, seg.labels, {
        epochs: 1, batchSize: seg.batchSize, shuffle: false,
        callbacks: [{ onEpochBegin: () => marks.begin(), onBatchEnd: () => marks.tick() }],
      });
    },
    predict: async (x) => model.predictClasses(x),
    dispose: () => model.dispose(),
  };
}
