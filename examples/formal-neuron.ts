/**
 * The formal neuron of the course, in two dimensions: one unit with weights w = [1, 1] and bias
 * b = −2 (set by hand, not trained), so its pre-activation is s = w·x + b = x₁ + x₂ − 2 and it
 * separates the plane along the line x₁ + x₂ = 2.
 *
 * With the step (Heaviside) activation it outputs 1 where s ≥ 0 and 0 elsewhere. With the sigmoid of
 * slope a, σ(a·s) = 1/(1 + e^(−a·s)), it outputs a probability instead: the larger a, the closer the
 * sigmoid comes to the step; the smaller a, the flatter (a = 0.1 hardly decides anything here).
 *
 *     npm run build && node build/examples/formal-neuron.js [--out DIR]
 */
import { decisionBoundary, dense, sequential, type ActivationName, type Sequential } from '../src/index.js';
import { fixed, parseExampleArgs, savePicture, startBackend } from './common.js';

const args = parseExampleArgs('formal-neuron');
const backend = await startBackend(args);

/** The sigmoid slopes compared. */
const SLOPES = [10, 1, 0.1];
/** Points to evaluate the neuron at: below, on and above the line x₁ + x₂ = 2. */
const POINTS = [[0, 0], [0.5, 1], [1, 1], [1.5, 1], [2, 2], [3, 0]];
/** The square the pictures show. */
const BOUNDS = { xMin: -0.5, xMax: 3.5, yMin: -0.5, yMax: 3.5 };

/** A one-unit neuron on 2 inputs with the course's w = [1, 1] and b = −2. */
function neuron(activation: ActivationName, a?: number): Sequential {
  const model = sequential([dense({ units: 1, activation, activationAlpha: a })], { inputSize: 2, backend });
  // Keras layout: the kernel is [inputs, units] = [2, 1], then the bias [1].
  model.setWeights([{ shape: [2, 1], values: [1, 1] }, { shape: [1], values: [-2] }]);
  return model;
}

// predict() of an uncompiled model is the raw output of its last layer: s itself, step(s), σ(a·s).
const x = Float32Array.from(POINTS.flat());
const linear = neuron('identity');
const stepNeuron = neuron('step');
const sigmoidNeurons = SLOPES.map((a) => neuron('sigmoid', a));
const s = linear.predict(x);
const step = stepNeuron.predict(x);
const sigmoid = sigmoidNeurons.map((m) => m.predict(x));

console.log(`
The formal neuron: w = [1, 1], b = −2, so s = w·x + b = x₁ + x₂ − 2.
It answers 1 (fires) on and above the line x₁ + x₂ = 2, where s ≥ 0.
  step (Heaviside):   step(s) = 1 if s ≥ 0, else 0
  sigmoid of slope a: σ(a·s) = 1 / (1 + e^(−a·s))
`);
console.log(['   x₁', '   x₂', '     s', ' step(s)', ...SLOPES.map((a) => `σ(${a}·s)`.padStart(10))].join('  '));
POINTS.forEach(([x1, x2], i) => {
  const row = [fixed(x1, 2, 5), fixed(x2, 2, 5), fixed(s[i], 3, 6), String(step[i]).padStart(8), ...sigmoid.map((p) => fixed(p[i], 6, 10))];
  console.log(row.join('  '));
});
console.log('\nHow far each sigmoid is from the step, max over the points off the line (s ≠ 0):');
SLOPES.forEach((a, j) => {
  let gap = 0;
  for (let i = 0; i < POINTS.length; i++) if (s[i] !== 0) gap = Math.max(gap, Math.abs(sigmoid[j][i] - step[i]));
  console.log(`  a = ${String(a).padEnd(4)} max |σ(a·s) − step(s)| = ${fixed(gap, 6)}`);
});
console.log('The larger a, the closer σ(a·s) comes to step(s); on the line itself (s = 0) σ is ½ for every a.\n');

// Each point's class in the pictures: the side of the line the step neuron puts it on.
const points = { x, y: Int32Array.from(step) };
await savePicture(args, 'formal-neuron-step.svg', decisionBoundary({
  predict: (xy) => stepNeuron.predict(xy), points, classes: 2, bounds: BOUNDS, title: 'Step neuron: step(x₁ + x₂ − 2)',
}));
for (const [j, a] of SLOPES.entries()) {
  // One sigmoid output is P(class 1 | x): decisionBoundary takes it for two classes.
  await savePicture(args, `formal-neuron-sigmoid-a${a}.svg`, decisionBoundary({
    predict: (xy) => sigmoidNeurons[j].predict(xy), points, classes: 2, bounds: BOUNDS, title: `P(class 1 | x) = σ(${a}·(x₁ + x₂ − 2))`,
  }));
}
for (const m of [linear, stepNeuron, ...sigmoidNeurons]) m.dispose();
