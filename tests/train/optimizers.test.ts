import { describe, expect, it } from 'vitest';
import {
  adagrad, adam, adamw, optimizer, optimizerFromConfig, rmsprop, schedules, sgd,
  type Backend, type F32Buffer, type Optimizer, type PieceConfig, type ReadyBackend,
} from '../../src/index.js';
import { backends, expectClose, randomArray } from '../support/helpers.js';

/** Each optimizer family with settings that exercise its options (weight decay on some). */
const CASES: { label: string; make: () => Optimizer }[] = [
  { label: 'sgd', make: () => sgd({ lr: 0.1, weightDecay: 0.05 }) },
  { label: 'sgd momentum', make: () => sgd({ lr: 0.05, momentum: 0.9 }) },
  { label: 'sgd nesterov', make: () => sgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }) },
  { label: 'adam', make: () => adam({ lr: 0.05 }) },
  { label: 'adamw', make: () => adamw({ lr: 0.05 }) },
  { label: 'rmsprop', make: () => rmsprop({ lr: 0.02, weightDecay: 0.02 }) },
  { label: 'adagrad', make: () => adagrad({ lr: 0.3 }) },
];

/** 37: not a multiple of the 4-lane vectors, so the kernels' tails run too. */
const N = 37;

const info = (t: number) => ({ batch: t, epoch: Math.floor(t / 4) });

/** A fixed gradient sequence (independent of w), so two runs can be compared step by step. */
const gradAt = (t: number): Float32Array => randomArray(N, 1000 + t);

/** Applies steps [from, to) of gradAt to w. */
function run(b: Backend, opt: Optimizer, w: F32Buffer, g: F32Buffer, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    g.data.set(gradAt(t));
    opt.apply(b, w, g, N, info(t));
  }
}

/** The float64 reference of the update each config describes (the formulas in src/backend/contract.ts). */
function reference(config: PieceConfig, n: number): (w: Float64Array, g: Float64Array, lr: number, t: number) => void {
  // The resolved hyper-parameters (the config of each factory; a family reads only its own).
  const c = config as unknown as {
    weightDecay: number; momentum: number; nesterov: boolean; beta1: number; beta2: number;
    epsilon: number; rho: number; initialAccumulator: number;
  };
  const s1 = new Float64Array(n);
  const s2 = new Float64Array(n);
  const decay = (w: Float64Array, lr: number, i: number) => w[i] - lr * c.weightDecay * w[i];
  switch (config.name) {
    case 'sgd':
      return (w, g, lr) => {
        for (let i = 0; i < n; i++) {
          if (c.momentum === 0) {
            w[i] = decay(w, lr, i) - lr * g[i];
            continue;
          }
          s1[i] = c.momentum * s1[i] + g[i];
          w[i] = decay(w, lr, i) - lr * (c.nesterov ? g[i] + c.momentum * s1[i] : s1[i]);
        }
      };
    case 'adam':
    case 'adamw':
      return (w, g, lr, t) => {
        for (let i = 0; i < n; i++) {
          s1[i] = c.beta1 * s1[i] + (1 - c.beta1) * g[i];
          s2[i] = c.beta2 * s2[i] + (1 - c.beta2) * g[i] * g[i];
          const mHat = s1[i] / (1 - c.beta1 ** t);
          const vHat = s2[i] / (1 - c.beta2 ** t);
          w[i] = decay(w, lr, i) - (lr * mHat) / (Math.sqrt(vHat) + c.epsilon);
        }
      };
    case 'rmsprop':
      return (w, g, lr) => {
        for (let i = 0; i < n; i++) {
          s1[i] = c.rho * s1[i] + (1 - c.rho) * g[i] * g[i];
          w[i] = decay(w, lr, i) - (lr * g[i]) / (Math.sqrt(s1[i]) + c.epsilon);
        }
      };
    case 'adagrad':
      s1.fill(c.initialAccumulator);
      return (w, g, lr) => {
        for (let i = 0; i < n; i++) {
          s1[i] += g[i] * g[i];
          w[i] = decay(w, lr, i) - (lr * g[i]) / (Math.sqrt(s1[i]) + c.epsilon);
        }
      };
    default:
      throw new Error(`no reference for ${config.name}`);
  }
}

async function both(): Promise<ReadyBackend[]> {
  const { wasm, js } = await backends();
  return [js, wasm];
}

describe('each optimizer', () => {
  it('decreases ½‖w − w*‖² on both backends', async () => {
    for (const b of await both()) {
      for (const { label, make } of CASES) {
        const target = randomArray(N, 7, 2);
        const w = b.f32(randomArray(N, 8, 2));
        const g = b.f32(N);
        const loss = () => w.data.reduce((s, wi, i) => s + 0.5 * (wi - target[i]) ** 2, 0);
        const before = loss();
        const opt = make();
        for (let t = 0; t < 300; t++) {
          const wd = w.data;
          g.data.set(wd.map((wi, i) => wi - target[i]));
          opt.apply(b, w, g, N, info(t));
        }
        expect(loss(), `${b.name} ${label}: loss ${before} → ${loss()}`).toBeLessThan(0.05 * before);
        opt.dispose();
        b.free(w);
        b.free(g);
      }
    }
  });

  it('takes the exact first step of its formula', async () => {
    const w0 = randomArray(N, 11);
    const g0 = gradAt(0);
    const firstStep: Record<string, (w: number, g: number, c: Record<string, number>) => number> = {
      'sgd': (w, g, c) => w - c.lr * c.weightDecay * w - c.lr * g,
      'sgd momentum': (w, g, c) => w - c.lr * g, // v = g after one step
      'sgd nesterov': (w, g, c) => w - c.lr * c.weightDecay * w - c.lr * (1 + c.momentum) * g,
      'adam': (w, g, c) => w - (c.lr * g) / (Math.abs(g) + c.epsilon), // m̂ = g, √v̂ = |g|
      'adamw': (w, g, c) => w - c.lr * c.weightDecay * w - (c.lr * g) / (Math.abs(g) + c.epsilon),
      'rmsprop': (w, g, c) => w - c.lr * c.weightDecay * w - (c.lr * g) / (Math.sqrt(1 - c.rho) * Math.abs(g) + c.epsilon),
      'adagrad': (w, g, c) => w - (c.lr * g) / (Math.sqrt(c.initialAccumulator + g * g) + c.epsilon),
    };
    for (const b of await both()) {
      for (const { label, make } of CASES) {
        const opt = make();
        const c = opt.config as Record<string, number>;
        const w = b.f32(w0);
        const g = b.f32(g0);
        expect(opt.apply(b, w, g, N, info(0))).toBe(c.lr);
        const expected = Array.from(w0, (wi, i) => firstStep[label](wi, g0[i], c));
        expectClose(w.data, expected, 1e-7, 1e-6, `${b.name} ${label} first step`);
        opt.dispose();
        b.free(w);
        b.free(g);
      }
    }
  });

  it('follows a float64 reference for 30 steps (momentum and Nesterov included)', async () => {
    for (const b of await both()) {
      for (const { label, make } of CASES) {
        const opt = make();
        const w0 = randomArray(N, 12);
        const w = b.f32(w0);
        const g = b.f32(N);
        const ref = reference(opt.config, N);
        const wRef = Float64Array.from(w0);
        for (let t = 0; t < 30; t++) {
          g.data.set(gradAt(t));
          const lr = opt.apply(b, w, g, N, info(t));
          ref(wRef, Float64Array.from(gradAt(t)), lr, t + 1);
        }
        expectClose(w.data, wRef, 1e-5, 1e-4, `${b.name} ${label} after 30 steps`);
        opt.dispose();
        b.free(w);
        b.free(g);
      }
    }
  });

  it('gives the same parameters on both backends', async () => {
    const [js, wasm] = await both();
    for (const { label, make } of CASES) {
      const out = [js, wasm].map((b) => {
        const opt = make();
        const w = b.f32(randomArray(N, 13));
        const g = b.f32(N);
        run(b, opt, w, g, 0, 25);
        const values = w.data.slice();
        opt.dispose();
        b.free(w);
        b.free(g);
        return values;
      });
      expectClose(out[1], out[0], 1e-6, 1e-5, `${label}: wasm vs js`);
    }
  });

  it('resumes from getState() on a fresh optimizer exactly as an uninterrupted run', async () => {
    for (const b of await both()) {
      for (const { label, make } of CASES) {
        const w0 = randomArray(N, 14);
        const straight = make();
        const wa = b.f32(w0);
        const ga = b.f32(N);
        run(b, straight, wa, ga, 0, 10);

        const first = make();
        const wb = b.f32(w0);
        const gb = b.f32(N);
        expect(first.getState()).toBeNull();
        run(b, first, wb, gb, 0, 5);
        const state = first.getState()!;
        expect(state.step).toBe(5);
        first.dispose();
        const resumed = optimizerFromConfig(JSON.parse(JSON.stringify(first.config)));
        resumed.setState(b, state, N);
        for (const s of Object.values(state.slots)) s.fill(NaN); // the optimizer must hold its own copy
        run(b, resumed, wb, gb, 5, 10);

        expect(Array.from(wb.data), `${b.name} ${label}`).toEqual(Array.from(wa.data));
        expect(resumed.getState()).toEqual(straight.getState());
        for (const x of [straight, resumed]) x.dispose();
        for (const x of [wa, ga, wb, gb]) b.free(x);
      }
    }
  });

  it('moves its state between backends through getState()/setState()', async () => {
    const [js, wasm] = await both();
    const onJs = adam({ lr: 0.05 });
    const wj = js.f32(randomArray(N, 15));
    const gj = js.f32(N);
    run(js, onJs, wj, gj, 0, 5);
    const state = onJs.getState()!;
    expect(Object.keys(state.slots).sort()).toEqual(['m', 'v']);
    const onWasm = adam({ lr: 0.05 });
    onWasm.setState(wasm, state, N);
    const ww = wasm.f32(wj.data);
    const gw = wasm.f32(N);
    run(js, onJs, wj, gj, 5, 10);
    run(wasm, onWasm, ww, gw, 5, 10);
    expectClose(ww.data, wj.data, 1e-6, 1e-5, 'resumed on wasm vs continued on js');
    for (const o of [onJs, onWasm]) o.dispose();
    for (const x of [ww, gw]) wasm.free(x);
  });

  it('allocates its slots once, on the first apply, and frees them on dispose', async () => {
    for (const b of await both()) {
      const live = b.liveBuffers;
      const w = b.f32(N);
      const g = b.f32(N);
      const opt = adam();
      expect(b.liveBuffers).toBe(live + 2);
      run(b, opt, w, g, 0, 3);
      expect(b.liveBuffers).toBe(live + 4); // m and v
      opt.dispose();
      expect(b.liveBuffers).toBe(live + 2);
      expect(opt.getState()).toBeNull();
      const plain = sgd();
      run(b, plain, w, g, 0, 2);
      expect(b.liveBuffers).toBe(live + 2); // plain SGD keeps no state
      expect(plain.getState()).toEqual({ step: 2, slots: {} });
      b.free(w);
      b.free(g);
    }
  });
});

describe('gradient clipping', () => {
  it('scales the whole gradient to norm clipNorm when it is larger, and leaves it alone otherwise', async () => {
    for (const b of await both()) {
      const g0 = randomArray(N, 16);
      const norm = Math.hypot(...g0);
      for (const clipNorm of [norm / 4, norm * 2]) {
        const opt = sgd({ lr: 0.5, clipNorm });
        const w0 = randomArray(N, 17);
        const w = b.f32(w0);
        const g = b.f32(g0);
        opt.apply(b, w, g, N, info(0));
        const factor = Math.min(1, clipNorm / norm);
        expect(Math.hypot(...g.data)).toBeCloseTo(Math.min(norm, clipNorm), 5);
        expectClose(g.data, Array.from(g0, (x) => x * factor), 1e-7, 1e-6, `${b.name} clipped gradient, clipNorm ${clipNorm}`);
        expectClose(w.data, Array.from(w0, (x, i) => x - 0.5 * g0[i] * factor), 1e-7, 1e-6, `${b.name} update with clipNorm ${clipNorm}`);
        b.free(w);
        b.free(g);
      }
    }
  });

  it('caps every step of an adaptive optimizer too', async () => {
    const b = (await both())[0];
    const opt = adam({ lr: 0.01, clipNorm: 0.1 });
    const w = b.f32(N);
    const g = b.f32(N);
    for (let t = 0; t < 5; t++) {
      g.data.set(randomArray(N, 20 + t, 10));
      opt.apply(b, w, g, N, info(t));
      expect(Math.hypot(...g.data)).toBeLessThanOrEqual(0.1 * (1 + 1e-6));
    }
  });
});

describe('learning rates from schedules', () => {
  it("evaluates the schedule at info.epoch or info.batch, as its unit says", async () => {
    const b = (await both())[0];
    for (const unit of ['epoch', 'batch'] as const) {
      const s = schedules.stepDecay({ initial: 1, factor: 0.5, every: 1, unit });
      const opt = sgd({ lr: s });
      expect(opt.schedule).toBe(s);
      const w0 = randomArray(N, 21);
      const w = b.f32(w0);
      const g = b.f32(gradAt(0));
      const at = { batch: 7, epoch: 2 };
      const expectedLr = unit === 'epoch' ? 0.25 : 0.5 ** 7;
      expect(opt.learningRate(at)).toBe(expectedLr);
      expect(opt.apply(b, w, g, N, at)).toBe(expectedLr);
      expectClose(w.data, Array.from(w0, (x, i) => x - expectedLr * g.data[i]), 1e-7, 1e-6, `sgd with a per-${unit} schedule`);
      b.free(w);
      b.free(g);
    }
  });

  it('follows a reduceOnPlateau schedule as fit() reports to it', () => {
    const opt = adam({ lr: schedules.reduceOnPlateau({ initial: 0.01, factor: 0.5, patience: 1 }) });
    expect(opt.learningRate(info(0))).toBe(0.01);
    opt.schedule!.report!(1, 0);
    opt.schedule!.report!(1, 1);
    expect(opt.learningRate(info(8))).toBe(0.005);
  });

  it("carries a reduceOnPlateau's running state in getState()/setState(): a rebuilt optimizer resumes at the reduced rate", async () => {
    const b = (await both())[0];
    const plateau = () => schedules.reduceOnPlateau({ initial: 0.05, factor: 0.5, patience: 1, minDelta: 0, cooldown: 2 });
    /** Two updates per "epoch", then a report of the same value: no improvement after the first. */
    const epochs = (opt: Optimizer, w: F32Buffer, g: F32Buffer, from: number, to: number): void => {
      for (let e = from; e < to; e++) {
        run(b, opt, w, g, 2 * e, 2 * e + 2);
        opt.schedule!.report!(1, e);
      }
    };
    const w0 = randomArray(N, 23);
    const straight = adam({ lr: plateau() });
    const [wa, ga] = [b.f32(w0), b.f32(N)];
    epochs(straight, wa, ga, 0, 6);

    const first = adam({ lr: plateau() });
    const [wb, gb] = [b.f32(w0), b.f32(N)];
    epochs(first, wb, gb, 0, 3);
    const state = first.getState()!;
    expect(state.schedule).toEqual({ lr: 0.025, best: 1, wait: 0, cooldownCounter: 1 });
    const resumed = optimizerFromConfig(JSON.parse(JSON.stringify(first.config)));
    expect(resumed.learningRate(info(6))).toBe(0.05); // the config alone starts over
    resumed.setState(b, state, N);
    expect(resumed.learningRate(info(6))).toBe(0.025);
    epochs(resumed, wb, gb, 3, 6);
    expect(resumed.getState()!.schedule!.lr).toBeLessThan(0.025); // it went on reducing
    expect(Array.from(wb.data)).toEqual(Array.from(wa.data));
    expect(resumed.getState()).toEqual(straight.getState());

    // A state without `schedule` (a file from before schedules had state) leaves the schedule alone.
    const { schedule: _dropped, ...old } = state;
    resumed.setState(b, old, N);
    expect(resumed.getState()!.schedule).toEqual(straight.getState()!.schedule);
    // Schedules without state add no field.
    const fixed = sgd({ lr: schedules.stepDecay({ initial: 1, factor: 0.5, every: 1 }) });
    run(b, fixed, wb, gb, 0, 1);
    expect('schedule' in fixed.getState()!).toBe(false);
    for (const o of [straight, first, resumed, fixed]) o.dispose();
    for (const x of [wa, ga, wb, gb]) b.free(x);
  });

  it('a fixed lr is returned as given and the optimizer has no schedule', () => {
    const opt = rmsprop({ lr: 0.003 });
    expect(opt.learningRate(info(5))).toBe(0.003);
    expect(opt.schedule).toBeUndefined();
  });
});

describe('configs and names', () => {
  it('documents the Keras defaults (AdamW: PyTorch weight decay 0.01)', () => {
    const common = { clipNorm: null, weightDecay: 0 };
    expect(sgd().config).toEqual({ name: 'sgd', lr: 0.01, ...common, momentum: 0, nesterov: false });
    expect(adam().config).toEqual({ name: 'adam', lr: 0.001, ...common, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(adamw().config).toEqual({ name: 'adamw', lr: 0.001, clipNorm: null, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(rmsprop().config).toEqual({ name: 'rmsprop', lr: 0.001, ...common, rho: 0.9, epsilon: 1e-7 });
    expect(adagrad().config).toEqual({ name: 'adagrad', lr: 0.001, ...common, initialAccumulator: 0.1, epsilon: 1e-7 });
  });

  it('rebuilds from a JSON config, schedule included, and trains identically', async () => {
    const b = (await both())[1];
    const made = adam({ lr: schedules.cosineDecay({ initial: 0.1, steps: 6, unit: 'batch' }), clipNorm: 1, weightDecay: 0.001 });
    const again = optimizerFromConfig(JSON.parse(JSON.stringify(made.config)));
    expect(again.config).toEqual(made.config);
    expect(again.schedule!.unit).toBe('batch');
    const [w1, w2] = [b.f32(randomArray(N, 22)), b.f32(randomArray(N, 22))];
    const [g1, g2] = [b.f32(N), b.f32(N)];
    run(b, made, w1, g1, 0, 8);
    run(b, again, w2, g2, 0, 8);
    expect(Array.from(w2.data)).toEqual(Array.from(w1.data));
  });

  it("looks optimizers up by name (case-insensitive, for the CLI), listing the known ones otherwise", () => {
    expect(optimizer('Adam', { lr: 0.01 }).config).toEqual(adam({ lr: 0.01 }).config);
    expect(optimizer('RMSprop').config.name).toBe('rmsprop');
    expect(optimizerFromConfig({ name: 'sgd' }).config).toEqual(sgd().config);
    expect(() => optimizer('adamax')).toThrow("simdnet: unknown optimizer 'adamax'; known optimizers: sgd, adam, adamw, rmsprop, adagrad");
  });
});

describe('bad options and calls give an error naming the argument', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['negative lr', () => sgd({ lr: -0.1 }), /simdnet sgd: lr must be a finite number ≥ 0, got -0.1/],
    ['plain function lr', () => adam({ lr: ((t: number) => t) as never }), /adam: lr must be a number or a LearningRateSchedule/],
    ['momentum 1', () => sgd({ momentum: 1 }), /sgd: momentum must be a finite number ≥ 0 and < 1, got 1/],
    ['nesterov without momentum', () => sgd({ nesterov: true }), /sgd: momentum must be > 0 when nesterov is true, got 0/],
    ['beta1 1', () => adam({ beta1: 1 }), /adam: beta1 must be .*< 1, got 1/],
    ['negative beta2', () => adamw({ beta2: -0.5 }), /adamw: beta2 must be a finite number ≥ 0/],
    ['zero epsilon', () => adam({ epsilon: 0 }), /epsilon must be a finite number > 0, got 0/],
    ['rho', () => rmsprop({ rho: 1.5 }), /rmsprop: rho must be/],
    ['initialAccumulator', () => adagrad({ initialAccumulator: -1 }), /adagrad: initialAccumulator must be a finite number ≥ 0, got -1/],
    ['zero clipNorm', () => sgd({ clipNorm: 0 }), /sgd: clipNorm must be a finite number > 0, got 0/],
    ['negative weightDecay', () => adamw({ weightDecay: -0.01 }), /adamw: weightDecay must be a finite number ≥ 0/],
    ['string nesterov', () => sgd({ momentum: 0.9, nesterov: 'yes' as never }), /nesterov must be true or false, got 'yes'/],
    ['misspelt option', () => adam({ learningRate: 0.1 } as never), /adam: unknown option 'learningRate'; known options: lr, clipNorm, weightDecay, beta1, beta2, epsilon/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => expect(make).toThrow(message));
  }

  it('apply and setState check size, backend, step info and state', async () => {
    const [js, wasm] = await both();
    const opt = adam();
    const w = js.f32(N);
    const g = js.f32(N);
    expect(() => opt.apply(js, w, g, 0, info(0))).toThrow(/adam.apply: size must be a positive integer, got 0/);
    expect(() => opt.apply(js, w, g, N, { batch: -1, epoch: 0 })).toThrow(/info.batch must be an integer ≥ 0, got -1/);
    expect(() => opt.apply(js, w, g, N, undefined as never)).toThrow(/info.batch must be an integer/);
    opt.apply(js, w, g, N, info(0));
    expect(() => opt.apply(js, w, g, N - 1, info(1))).toThrow(/size is 36 but the optimizer's state is for 37 parameters/);
    expect(() => opt.apply(wasm, wasm.f32(N), wasm.f32(N), N, info(1))).toThrow(/state lives on another 'js' backend/);
    expect(() => opt.apply(js, w, js.f32(N - 1), N, info(1))).toThrow(/adamStep: g has 36 elements/);
    expect(opt.getState()!.step).toBe(1); // rejected calls do not count
    const state = opt.getState()!;
    expect(() => opt.setState(js, { step: 1, slots: { m: state.slots.m } }, N)).toThrow(/state.slots must be \{m, v\} for adam, got \{m\}/);
    expect(() => opt.setState(js, state, N + 1)).toThrow(/state.slots.m must be a Float32Array of 38 values, got 37 values/);
    expect(() => opt.setState(js, { ...state, step: 1.5 }, N)).toThrow(/state.step must be an integer ≥ 0, got 1.5/);
    expect(() => opt.setState(js, { ...state, schedule: { lr: 1 } }, N)).toThrow(/adam.setState: state.schedule is given, but the learning rate \(a fixed number\) keeps no state/);
    const stepped = sgd({ lr: schedules.stepDecay({ initial: 1, factor: 0.5, every: 1 }) });
    expect(() => stepped.setState(js, { step: 1, slots: {}, schedule: { lr: 1 } }, N)).toThrow(/sgd.setState: .*learning rate \(stepDecay\) keeps no state/);
    // A bad schedule state is refused before anything changes, the optimizer's own state included.
    const plateau = adam({ lr: schedules.reduceOnPlateau({ initial: 0.1 }) });
    plateau.apply(js, w, g, N, info(0));
    const before = plateau.getState()!;
    expect(() => plateau.setState(js, { ...state, step: 7, schedule: { ...before.schedule!, wait: -1 } }, N))
      .toThrow(/reduceOnPlateau.setState\(state\): wait must be a finite integer ≥ 0, got -1/);
    expect(plateau.getState()).toEqual(before);
    plateau.dispose();
  });
});
