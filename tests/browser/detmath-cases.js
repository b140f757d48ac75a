/**
 * What tests/browser/detmath.test.ts computes in Node and in a Chromium page, to compare the bits.
 * Plain JavaScript taking the modules as arguments, so the page (pages/detmath.html) and the Node
 * test run exactly this code: detmath from build/src/math/detmath.js (tsc's output) and simdnet from dist/.
 * Every input comes from simdnet's seeded Rng, whose uniform draws use exact arithmetic only.
 */

/** Arguments per function. */
export const COUNT = 10_000;

/**
 * Each function's arguments: half from the range the library uses it on (Box–Muller's u in (0, 1)
 * and angles in [0, 2π), schedule exponents), half from a wide range.
 */
export const FUNCTIONS = [
  { name: 'exp', args: [[[-20, 20], [-745, 709]]] },
  { name: 'log', args: [[[0, 1], [1e-3, 1e6]]] },
  { name: 'sin', args: [[[0, 2 * Math.PI], [-1e7, 1e7]]] },
  { name: 'cos', args: [[[0, 2 * Math.PI], [-1e7, 1e7]]] },
  { name: 'pow', args: [[[0, 1], [0.01, 10]], [[0, 60], [-10, 10]]] },
];

/** The bits of a Float64Array as unsigned 32-bit words (exact through page.evaluate and JSON). */
export function bits64(array) {
  return Array.from(new Uint32Array(array.buffer, array.byteOffset, 2 * array.length));
}

/**
 * For each function: the bits of detmath's results and of Math's (Math.pow for pow) on the same
 * COUNT seeded arguments.
 */
export function evaluateFunctions(detmath, simdnet) {
  const out = {};
  FUNCTIONS.forEach(({ name, args }, f) => {
    const rng = new simdnet.Rng(1000 + f);
    const inputs = args.map(() => new Float64Array(COUNT));
    for (let i = 0; i < COUNT; i++) {
      args.forEach((ranges, a) => {
        const [lo, hi] = ranges[i % 2];
        inputs[a][i] = rng.uniform(lo, hi);
      });
    }
    const mine = new Float64Array(COUNT);
    const math = new Float64Array(COUNT);
    const twin = name === 'pow' ? Math.pow : Math[name];
    for (let i = 0; i < COUNT; i++) {
      const x = inputs.map((v) => v[i]);
      mine[i] = detmath[name](...x);
      math[i] = twin(...x);
    }
    out[name] = { detmath: bits64(mine), math: bits64(math) };
  });
  return out;
}

/**
 * The float64 values training is made from, before anything rounds them to float32: Rng.normal
 * (Box–Muller), the same Box–Muller written with Math.log/sin/cos (what Rng.normal was), the
 * schedules, logUniform samples; and the toy data sets (float32).
 */
export function trainingValues(simdnet) {
  const n = COUNT;
  const normals = new Float64Array(n);
  const rng = new simdnet.Rng(11);
  for (let i = 0; i < n; i++) normals[i] = rng.normal();

  const mathNormals = new Float64Array(n);
  const twin = new simdnet.Rng(11);
  for (let i = 0; i < n; i += 2) {
    let u = 0;
    while (u === 0) u = twin.next();
    const v = twin.next();
    const r = Math.sqrt(-2 * Math.log(u));
    mathNormals[i] = r * Math.cos(2 * Math.PI * v);
    mathNormals[i + 1] = r * Math.sin(2 * Math.PI * v);
  }

  const { schedules } = simdnet;
  const rates = [
    schedules.cosineDecay({ initial: 0.01, steps: 997, alpha: 0.1 }),
    schedules.exponentialDecay({ initial: 0.1, lambda: 0.0137 }),
    schedules.exponentialDecay({ initial: 0.1, rate: 0.93, steps: 7 }),
    schedules.stepDecay({ initial: 0.1, factor: 0.7, every: 3 }),
  ];
  const scheduled = new Float64Array(rates.length * 1000);
  rates.forEach((s, k) => {
    for (let t = 0; t < 1000; t++) scheduled[k * 1000 + t] = s(t);
  });

  const dist = simdnet.logUniform(1e-5, 1);
  const sampler = new simdnet.Rng(5);
  const samples = new Float64Array(1000);
  for (let i = 0; i < samples.length; i++) samples[i] = dist.sample(sampler);

  const toy = [
    simdnet.spirals({ n: 1000, seed: 3 }),
    simdnet.moons({ n: 1000, seed: 3 }),
    simdnet.circles({ n: 1000, seed: 3 }),
    simdnet.blobs({ n: 1000, classes: 7, seed: 3 }),
  ].map((d) => Array.from(new Uint32Array(d.x.buffer, d.x.byteOffset, d.x.length)));

  return { normals: bits64(normals), mathNormals: bits64(mathNormals), schedules: bits64(scheduled), logUniform: bits64(samples), toy };
}
