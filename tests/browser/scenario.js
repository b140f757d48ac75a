/**
 * The training run that must give the same bits in every environment: the Node main thread, a Node
 * worker, a Chromium page and a Chromium module Worker (tests/worker.test.ts, tests/browser/*.test.ts).
 *
 * Plain JavaScript taking the simdnet module as an argument, so Node tests and the browser page
 * (tests/browser/pages/identical.html, which loads it from the static server) run exactly this code
 * against the same dist/ build. It uses every part that could drift: seeded initialisation, data
 * generation and weight initialisation (sin/cos/log), per-epoch shuffles, dropout masks, an L2
 * penalty, a learning-rate schedule, Adam's state, a validation split, class weights and tanh in the
 * wasm kernels.
 */

/**
 * fit() options of the run (trainInWorker takes the same). classWeight sends every batch through the
 * per-row weighted loss (each row's kernel call with its own gradient scale), so that path keeps the
 * same bits everywhere too.
 */
export const FIT = { epochs: 5, batchSize: 16, validationSplit: 0.2, classWeight: { 0: 1, 1: 1.5 } };

/** The data: 2-D spirals from a fixed seed. */
export function makeData(simdnet) {
  return simdnet.spirals({ n: 240, seed: 5 });
}

/**
 * A fresh compiled model; the same seed gives the same initial weights. glorotNormal draws with
 * Box–Muller (log, sin, cos) and the cosine schedule uses cos: functions whose last float64 bit
 * differs between V8 versions in Math, so the library takes them from src/math/detmath.ts (checked on
 * their own, in float64, by tests/browser/detmath.test.ts).
 */
export function makeModel(simdnet, backend, classes) {
  const model = simdnet.mlp({
    inputSize: 2, hidden: [24, 24], outputs: classes, activation: 'tanh', dropout: 0.1, l2: 1e-4,
    kernelInitializer: 'glorotNormal', seed: 42, backend,
  });
  const lr = simdnet.schedules.cosineDecay({ initial: 0.01, steps: 40, unit: 'batch', alpha: 0.1 });
  return model.compile({ loss: 'softmaxCrossEntropy', optimizer: simdnet.adam({ lr }) });
}

/** The bits of a Float32Array as unsigned integers (survives JSON, page.evaluate and postMessage exactly). */
export function bits(array) {
  return Array.from(new Uint32Array(array.buffer, array.byteOffset, array.length));
}

/**
 * Trains one model in this thread ('main') or with trainInWorker ('worker') on the `backend` kind, and
 * returns the bits of the data and of everything training produced.
 */
export async function runScenario(simdnet, where, backendName = 'wasm') {
  const backend = backendName === 'js' ? simdnet.jsBackend() : await simdnet.init({ backend: backendName });
  const data = makeData(simdnet);
  const model = makeModel(simdnet, backend, data.classes);
  try {
    const dataBits = { x: bits(data.x), y: Array.from(data.y) };
    // copies: trainInWorker moves (detaches) the arrays it is given
    const history = where === 'worker'
      ? await simdnet.trainInWorker(model, data.x.slice(), data.y.slice(), FIT)
      : await model.fit(data.x, data.y, FIT);
    const state = model.compiled.optimizer.getState();
    return {
      data: dataBits,
      weights: bits(model.getFlatWeights()),
      optimizer: { step: state.step, m: bits(state.slots.m), v: bits(state.slots.v) },
      counters: { epochs: model.epochsTrained, batches: model.batchesTrained, dropoutStream: model.dropoutStream },
      // One row and three rows: predict's skinny matmul path (few rows), apart from the packed one.
      predictions: [bits(model.predict(data.x.subarray(0, 2))), bits(model.predict(data.x.subarray(0, 6)))],
      loss: history.history.loss,
      valLoss: history.history.valLoss,
      stopReason: history.stopReason,
    };
  } finally {
    model.dispose();
  }
}
