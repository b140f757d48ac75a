/**
 * The CNN run that must give the same bits in every environment: the Node main thread, a Node worker
 * (tests/worker/cnn.test.ts), a Chromium page and a Chromium module Worker (tests/browser/cnn.test.ts).
 * Plain JavaScript taking the simdnet module as an argument, like scenario.js, so every environment
 * runs exactly this code against the same dist/ build.
 *
 * A small CNN (conv 5×5 + ReLU, max pool, conv 3×3 + ReLU, max pool, flatten, dropout, dense) on a
 * few hundred MNIST digits, with random shifts (fit's augment, drawn from the seed), shuffles, dropout
 * masks and Adam: the convolution and pooling kernels, their gradients and the augmentation all
 * have to agree bit for bit.
 */

/** fit() options of the run (trainInWorker takes the same). */
export const CNN_FIT = { epochs: 2, batchSize: 32, augment: { shift: 2 }, validationSplit: 0.1 };

/** Rows of the MNIST training set the run trains on. */
export const CNN_ROWS = 320;

/** A fresh compiled CNN on `backend`; the same seed gives the same initial weights. */
export function makeCnn(simdnet, backend) {
  const model = simdnet.sequential([
    simdnet.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', kernelInitializer: 'heNormal' }),
    simdnet.maxPool2d({ poolSize: 2 }),
    simdnet.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: 'heNormal' }),
    simdnet.maxPool2d({ poolSize: 2 }),
    simdnet.flatten(),
    simdnet.dropout({ rate: 0.2 }),
    simdnet.dense({ units: 10 }),
  ], { inputShape: [28, 28, 1], backend, seed: 3 });
  return model.compile({ loss: 'softmaxCrossEntropy', optimizer: simdnet.adam({ lr: 0.003 }) });
}

/** The bits of a Float32Array as unsigned integers (survives JSON, page.evaluate and postMessage exactly). */
export function bits(array) {
  return Array.from(new Uint32Array(array.buffer, array.byteOffset, array.length));
}

/**
 * Trains the CNN on rows x [n, 784] and labels y in this thread ('main') or with trainInWorker
 * ('worker') on the wasm backend; returns the bits of what training produced.
 */
export async function runCnnScenario(simdnet, where, x, y) {
  const backend = await simdnet.init({ backend: 'wasm' });
  const model = makeCnn(simdnet, backend);
  try {
    // copies: trainInWorker moves (detaches) the arrays it is given
    const history = where === 'worker'
      ? await simdnet.trainInWorker(model, Float32Array.from(x), Int32Array.from(y), CNN_FIT)
      : await model.fit(Float32Array.from(x), Int32Array.from(y), CNN_FIT);
    return {
      weights: bits(model.getFlatWeights()),
      counters: { epochs: model.epochsTrained, batches: model.batchesTrained, dropoutStream: model.dropoutStream },
      predictions: bits(model.predict(Float32Array.from(x).subarray(0, 3 * 784))),
      loss: history.history.loss,
      valAccuracy: history.history.valAccuracy,
      stopReason: history.stopReason,
    };
  } finally {
    model.dispose();
  }
}
