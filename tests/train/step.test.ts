/**
 * The training step and the loop apart from Sequential: gradientStep over a bare Network equals the
 * model's computeGradients, evaluation does not depend on the chunk size, and fit() trains any object
 * that meets its Trainee interface (here a bare Network with a TrainingState) to the same bits as
 * Sequential.fit(), stopping on a callback's request.
 */
import { describe, expect, test } from 'vitest';
import { adam, dense, dropout, sequential, type Callback, type Features, type Targets } from '../../src/index.js';
import { DeviceData } from '../../src/model/data.js';
import { lossByName } from '../../src/model/losses.js';
import { Network } from '../../src/model/network.js';
import { fit, type Trainee } from '../../src/train/fit.js';
import { evaluateData, gradientStep } from '../../src/train/step.js';
import { TrainingState } from '../../src/train/training-state.js';
import { backends } from '../support/helpers.js';
import { bits, gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();
const data = gaussianBlobs(40, 3, 5, 11);
const loss = lossByName('softmaxCrossEntropy');
const layers = () => [dense({ units: 7, activation: 'relu' }), dropout({ rate: 0.3 }), dense({ units: 3 })];

/** The smallest Trainee: a Network, an optimizer, a TrainingState; no Sequential anywhere. */
function bareTrainee(network: Network): Trainee {
  const state = new TrainingState();
  const optimizer = adam({ lr: 0.02 });
  const trainee: Trainee = {
    network, state, seed: 9,
    compiled: { loss, optimizer, metrics: ['accuracy'], topK: 5, fused: null },
    get epochsTrained() { return state.epochs; },
    get batchesTrained() { return state.batches; },
    requestStop: (reason = 'callback') => state.requestStop(reason),
    getFlatWeights: () => network.params.data.slice(0, network.size),
    setFlatWeights: (v) => network.params.data.set(v),
    predict: () => { throw new Error('not used'); },
    evaluate: (x: Features, y: Targets) => {
      const d = DeviceData.of(network, 'evaluate', x, y, loss);
      try { return evaluateData(network, loss, d, 256); } finally { d.dispose(); }
    },
    fit: (x, y, options) => fit(trainee, x, y, options),
  };
  return trainee;
}

describe('the step and the loop over the Trainee interface', () => {
  for (const backend of [wasm, js]) {
    test(`${backend.name}: gradientStep on a bare Network is computeGradients of the same model, bit for bit`, () => {
      const model = sequential(layers(), { inputSize: 5, backend, seed: 3 }).compile({ loss: 'softmaxCrossEntropy' });
      const net = new Network(backend, [5], layers().map((l, i) => Object.assign(l, { name: model.layers[i].name })), 3);
      const d = DeviceData.of(net, 'test', data.x, data.y, loss);
      try {
        const step = gradientStep(net, loss, d.x, d.y!, d.n, false);
        const expected = model.computeGradients(data.x, data.y);
        expect(step.dataLoss).toBe(expected.dataLoss);
        expect(bits(net.grads.data.slice(0, net.size))).toEqual(bits(expected.gradients));
        expect(step.inputGradient).toBeNull();
      } finally {
        d.dispose();
        net.dispose();
        model.dispose();
      }
    });

    test(`${backend.name}: fit() trains a bare Trainee exactly as Sequential.fit() trains the same network`, async () => {
      const model = sequential(layers(), { inputSize: 5, backend, seed: 9 }).compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.02 }) });
      const net = new Network(backend, [5], layers().map((l, i) => Object.assign(l, { name: model.layers[i].name })), 9);
      const trainee = bareTrainee(net);
      const stopAfterTwo: Callback = { onEpochEnd: (_e, _logs, m) => { if (m.epochsTrained === 2) m.requestStop('enough'); } };
      const withoutSpeed = (h: { history: Record<string, number[]> }) => ({ ...h, history: { ...h.history, samplesPerSec: [] } });
      try {
        const a = await model.fit(data.x, data.y, { epochs: 3, batchSize: 8, callbacks: [stopAfterTwo] });
        const b = await fit(trainee, data.x, data.y, { epochs: 3, batchSize: 8, callbacks: [stopAfterTwo] });
        expect(b.stopReason).toBe('enough');
        expect(withoutSpeed(b)).toEqual(withoutSpeed(a));
        expect(trainee.state.epochs).toBe(2);
        expect(trainee.state.batches).toBe(model.batchesTrained);
        expect(net.dropoutStream).toBe(model.dropoutStream);
        expect(bits(trainee.getFlatWeights())).toEqual(bits(model.getFlatWeights()));
        expect(trainee.state.training).toBe(false);
      } finally {
        trainee.compiled!.optimizer.dispose();
        net.dispose();
        model.dispose();
      }
    });
  }

  test('evaluation in chunks does not depend on the chunk size (up to the order of the sums)', () => {
    const net = new Network(js, [5], layers(), 4);
    const d = DeviceData.of(net, 'test', data.x, data.y, loss);
    try {
      const whole = evaluateData(net, loss, d, 1000);
      for (const chunk of [1, 7, 40]) {
        const e = evaluateData(net, loss, d, chunk);
        expect(e.accuracy).toBe(whole.accuracy);
        expect(e.dataLoss).toBeCloseTo(whole.dataLoss, 6);
      }
    } finally {
      d.dispose();
      net.dispose();
    }
  });
});
