/**
 * XOR, the classic problem no single neuron solves: (0,0) → 0, (0,1) → 1, (1,0) → 1, (1,1) → 0.
 * No straight line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other, so a model
 * without a hidden layer gets at most 3 of the 4 points right. One hidden layer of a few tanh units
 * (a 2-8-1 MLP) bends the boundary and gets all four.
 *
 *     npm run build && node build/examples/xor.js [--epochs N] [--seed N]
 */
import { adam, mlp, xor, type Sequential } from '../src/index.js';
import { fixed, parseExampleArgs, startBackend } from './common.js';

const args = parseExampleArgs('xor');
const backend = await startBackend(args);
// The four corners of the truth table, one row each. They train in microseconds per epoch, so the
// quick run needs no shortcut.
const data = xor({ points: 'corners' });
const epochs = args.epochs ?? 300;

/** An MLP with these hidden layers, trained on the four points. */
async function trained(hidden: number[]): Promise<Sequential> {
  // One output: P(class 1 | x) = σ(z), trained on the sigmoid cross-entropy.
  const model = mlp({ inputSize: 2, hidden, outputs: 1, activation: 'tanh', backend, seed: args.seed });
  model.compile({ loss: 'sigmoidCrossEntropy', optimizer: adam({ lr: 0.05 }) });
  // Full-batch gradient descent: every step sees all four points.
  await model.fit(data.x, data.y, { epochs, batchSize: 'full' });
  return model;
}

const linear = await trained([]);
console.log(`without a hidden layer (2-1, a straight-line boundary): accuracy ${fixed(100 * linear.evaluate(data.x, data.y).accuracy, 0)}% after ${epochs} epochs`);
linear.dispose();

const model = await trained([8]);
console.log(`with a hidden layer of 8 tanh units (2-8-1), ${epochs} epochs of Adam (lr 0.05) on the full batch:\n`);
const probability = model.predict(data.x);
const predicted = model.predictClasses(data.x);
console.log('  x₁  x₂  XOR   P(1|x)  predicted');
for (let i = 0; i < data.n; i++) {
  const verdict = predicted[i] === data.y[i] ? 'right' : 'WRONG';
  console.log(`  ${data.x[2 * i]}   ${data.x[2 * i + 1]}   ${String(data.y[i]).padStart(3)}   ${fixed(probability[i], 4)}  ${String(predicted[i]).padStart(9)}  ${verdict}`);
}
const { accuracy, loss } = model.evaluate(data.x, data.y);
console.log(`\naccuracy ${fixed(100 * accuracy, 0)}% (${Math.round(accuracy * data.n)}/${data.n}), loss ${fixed(loss, 4)}`);
model.dispose();
