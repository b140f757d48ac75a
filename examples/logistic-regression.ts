/**
 * Softmax (multinomial logistic) regression on Gaussian blobs: one dense layer of K logits
 * z_k = w_k·x + b_k and no hidden layer, trained on the cross-entropy. The model gives
 * P(k | x) = e^(z_k) / Σ_j e^(z_j); the predicted class is the argmax. The boundary between two
 * classes k and j is where z_k = z_j, a straight line: the regions are convex polygons.
 *
 *     npm run build && node build/examples/logistic-regression.js [--quick] [--epochs N] [--out DIR]
 */
import { blobs, decisionBoundary, dense, sequential, sgd } from '../src/index.js';
import { fixed, parseExampleArgs, savePicture, startBackend } from './common.js';

const args = parseExampleArgs('logistic-regression');
const backend = await startBackend(args);
const CLASSES = 4;
const epochs = args.epochs ?? (args.quick ? 10 : 30);

/** '+ 0.118' or '− 0.005': a term of a sum, as written by hand; a first term is ' 0.916' or '−0.743'. */
function signed(v: number, first = false): string {
  const sign = v < 0 ? '−' : first ? ' ' : '+';
  return `${sign}${first ? '' : ' '}${fixed(Math.abs(v), 3, 5)}`;
}

// The blob centers depend only on the number of classes, so two seeds give a training and a test
// sample of the same distribution.
const train = blobs({ classes: CLASSES, n: 400, spread: 0.7, seed: args.seed });
const test = blobs({ classes: CLASSES, n: 200, spread: 0.7, seed: args.seed + 1 });

const model = sequential([dense({ units: CLASSES })], { inputSize: 2, backend, seed: args.seed });
model.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
console.log(`softmax regression: ${train.n} training points in ${CLASSES} blobs, ${epochs} epochs of mini-batch SGD (lr 0.1)`);
console.log(model.summary());
const { history } = await model.fit(train.x, train.y, { epochs, batchSize: 32 });
console.log(`after training: loss ${fixed(history.loss[history.loss.length - 1], 4)}`);

const [kernel, bias] = model.getWeights();
console.log('\nThe learned logits z_k = w_k·x + b_k (the kernel is [2, K]: its column k is w_k):');
for (let k = 0; k < CLASSES; k++) {
  console.log(`  z_${k} = ${signed(kernel.values[k], true)}·x₁ ${signed(kernel.values[CLASSES + k])}·x₂ ${signed(bias.values[k])}`);
}

const shown = 6;
const first = test.x.subarray(0, 2 * shown);
const probs = model.predict(first);
const predicted = model.predictClasses(first);
console.log(`\nP(k | x) for the first ${shown} test points; the predicted class is the argmax:`);
console.log(`      x₁      x₂  ${Array.from({ length: CLASSES }, (_, k) => `P(${k}|x)`.padStart(7)).join(' ')}  predicted  true`);
for (let i = 0; i < shown; i++) {
  const p = Array.from({ length: CLASSES }, (_, k) => fixed(probs[i * CLASSES + k], 3, 7)).join(' ');
  console.log(`  ${fixed(test.x[2 * i], 2, 6)}  ${fixed(test.x[2 * i + 1], 2, 6)}  ${p}  ${String(predicted[i]).padStart(9)}  ${String(test.y[i]).padStart(4)}`);
}

const trainAccuracy = model.evaluate(train.x, train.y).accuracy;
const testAccuracy = model.evaluate(test.x, test.y).accuracy;
console.log(`\ntrain accuracy ${fixed(100 * trainAccuracy, 1)}%, test accuracy ${fixed(100 * testAccuracy, 1)}%`);
await savePicture(args, 'logistic-regression-boundary.svg', decisionBoundary({
  predict: (xy) => model.predict(xy), points: { x: test.x, y: test.y }, classes: CLASSES,
  title: 'Softmax regression on 4 blobs (test points)',
}));
model.dispose();
