/**
 * Two interleaved spirals: a boundary no line and no single bend can draw. An MLP with two hidden
 * layers of ReLU units, trained with Adam, winds its decision boundary between the arms: each ReLU
 * adds a fold, and together they make a piecewise-linear boundary that follows the spiral. Writes the
 * decision boundary over the test points and the training curves (loss and accuracy per epoch, on
 * the training and the test data).
 *
 *     npm run build && node build/examples/spirals.js [--quick] [--epochs N] [--out DIR]
 */
import { adam, decisionBoundary, mlp, spirals, trainingCurves } from '../src/index.js';
import { fixed, parseExampleArgs, savePicture, startBackend } from './common.js';

const args = parseExampleArgs('spirals');
const backend = await startBackend(args);
const epochs = args.epochs ?? (args.quick ? 30 : 200);
// Same spirals, different noise draws: a training and a test sample of one distribution.
const train = spirals({ n: 600, noise: 0.04, seed: args.seed });
const test = spirals({ n: 300, noise: 0.04, seed: args.seed + 1 });

// ReLU with the He initialisation mlp() gives it, rather than tanh: mlp() gives tanh the Glorot
// initialisation, whose first-layer weights are small next to inputs of radius ≤ 1; that network
// starts almost linear and stalls near 62% accuracy here for hundreds of epochs.
const model = mlp({ inputSize: 2, hidden: [32, 32], outputs: 2, activation: 'relu', backend, seed: args.seed });
model.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }) });
console.log(`two spirals: ${train.n} training and ${test.n} test points; ${epochs} epochs of Adam (lr 0.01), batches of 32`);
console.log(model.summary());
const every = Math.max(1, Math.round(epochs / 10));
const { history } = await model.fit(train.x, train.y, {
  epochs, batchSize: 32, validationData: { x: test.x, y: test.y },
  callbacks: [{
    onEpochEnd: (epoch, logs) => {
      if ((epoch + 1) % every !== 0 && epoch + 1 !== epochs) return;
      console.log(`epoch ${String(epoch + 1).padStart(4)}  loss ${fixed(logs.loss, 4)}  accuracy ${fixed(logs.accuracy ?? NaN, 3)}  ` +
        `test loss ${fixed(logs.valLoss ?? NaN, 4)}  test accuracy ${fixed(logs.valAccuracy ?? NaN, 3)}`);
    },
  }],
});
const trainAccuracy = model.evaluate(train.x, train.y).accuracy;
const testAccuracy = model.evaluate(test.x, test.y).accuracy;
console.log(`\ntrain accuracy ${fixed(100 * trainAccuracy, 1)}%, test accuracy ${fixed(100 * testAccuracy, 1)}%`);

await savePicture(args, 'spirals-boundary.svg', decisionBoundary({
  predict: (xy) => model.predict(xy), points: { x: test.x, y: test.y }, classes: 2,
  title: 'Two spirals: a 2-32-32-2 ReLU MLP (test points)',
}));
const curves = trainingCurves(history);
if (curves.loss !== undefined) await savePicture(args, 'spirals-loss.svg', curves.loss);
if (curves.accuracy !== undefined) await savePicture(args, 'spirals-accuracy.svg', curves.accuracy);
model.dispose();
