/**
 * The training worker: a module Worker that owns the data, the model and the training loop, so the
 * page's main thread only draws and stays responsive however fast training runs.
 *
 * Play, pause and step work at epoch granularity: one fit() call runs the epochs, its onEpochEnd
 * callback records each epoch, posts a frame (new curve points and the heat map) at most every
 * FRAME_MS, keeps the pace, and asks fit() to stop once the page has paused. fit() counts epochs over
 * the model's whole life (shuffles, schedules), so stepping epoch by epoch trains exactly as playing.
 *
 * Messages are handled one after another (a queue), except 'pause', which takes effect at once: it
 * clears `wantPlay`, which the running epoch loop reads at each epoch's end.
 */
import { init, jsBackend, type ReadyBackend } from '../../../src/backend/init.js';
import type { Sequential } from '../../../src/model/index.js';
import type { EpochLogs } from '../../../src/train/index.js';
import type { EpochPoint, FrameMessage, FromWorker, ToWorker } from './protocol.js';
import { batchSize, gridInputs, makeData, makeModel, type PlaygroundData } from './setup.js';
import { NEURON_GRID, neuronView } from './network.js';
import type { Settings } from './settings.js';

/** Heat-map cells per side. */
const GRID_SIZE = 100;
/** At most one frame per this many milliseconds while playing (about the display's pace). */
const FRAME_MS = 33;
/** The network diagram's maps are recomputed at most this often while playing (they cost a forward pass in JS). */
const NEURON_MS = 150;
/** The window steps per second is measured over. */
const SPEED_WINDOW_MS = 1000;

const scope = self as unknown as DedicatedWorkerGlobalScope;

interface Run {
  readonly id: number;
  readonly settings: Settings;
  readonly data: PlaygroundData;
  readonly model: Sequential;
  readonly grid: Float32Array;
  /** The smaller grid of the network diagram's neuron maps. */
  readonly neuronGrid: Float32Array;
  lastNeurons: number;
  firstEpochLoss: number | null;
  /** Curve points not yet sent. */
  pending: EpochPoint[];
  lastFrame: number;
  /** (time, steps) samples while playing, for steps per second. */
  speed: { t: number; steps: number }[];
}

const backends = new Map<Settings['backend'], Promise<ReadyBackend>>();
/** Each backend is made once and kept: instantiating wasm again on every reset would waste time. */
function backendNamed(name: Settings['backend']): Promise<ReadyBackend> {
  let b = backends.get(name);
  if (b === undefined) {
    b = name === 'js' ? Promise.resolve(jsBackend()) : init({ backend: 'wasm' });
    backends.set(name, b);
  }
  return b;
}

let run: Run | null = null;
let wantPlay = false;
/** Epochs per second while playing (Infinity: unthrottled). */
let pace = Infinity;
let playing = false;
let queue: Promise<void> = Promise.resolve();

const now = (): number => performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'pause') {
    wantPlay = false;
    return;
  }
  if (message.type === 'pace') {
    pace = paceOf(message.pace);
    // Steps per second from here on are at the new pace.
    if (run !== null) run.speed = [{ t: now(), steps: run.model.batchesTrained }];
    return;
  }
  wantPlay = message.type === 'play';
  queue = queue.then(() => handle(message)).catch((error: unknown) => reportError(error));
};

function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  playing = false;
  post({ type: 'error', run: run?.id ?? -1, message, diverged: message.includes('training diverged') });
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'configure':
      await configure(message.run, message.settings);
      return;
    case 'step':
      if (run !== null) await train(run, 1);
      return;
    case 'play':
      if (run !== null && wantPlay) await train(run, Number.MAX_SAFE_INTEGER);
      return;
    case 'pause':
    case 'pace':
      return;
  }
}

function paceOf(p: Settings['pace']): number {
  return p === 'max' ? Infinity : Number(p);
}

async function configure(id: number, settings: Settings): Promise<void> {
  pace = paceOf(settings.pace);
  run?.model.dispose();
  run = null;
  const backend = await backendNamed(settings.backend);
  const data = makeData(settings);
  const model = makeModel(settings, data.classes, backend);
  const r: Run = {
    id, settings, data, model, grid: gridInputs(data.bounds, GRID_SIZE), neuronGrid: gridInputs(data.bounds, NEURON_GRID), lastNeurons: -Infinity,
    firstEpochLoss: null, pending: [], lastFrame: 0, speed: [],
  };
  run = r;
  post({
    type: 'dataset', run: id, classes: data.classes, bounds: data.bounds,
    train: { x: data.train.x.slice(), y: data.train.y.slice() },
    test: { x: data.test.x.slice(), y: data.test.y.slice() },
    parameters: model.parameterCount, backend: backend.name,
  });
  // Epoch 0: the untrained model, evaluated, so the curves start where training starts.
  const trained = model.evaluate(data.train.x, data.train.y);
  const tested = model.evaluate(data.test.x, data.test.y);
  const lr = model.compiled?.optimizer.learningRate({ epoch: 0, batch: 0 }) ?? NaN;
  r.pending.push({ epoch: 0, loss: trained.loss, accuracy: trained.accuracy, testLoss: tested.loss, testAccuracy: tested.accuracy, lr });
  postFrame(r);
}

function point(epoch: number, logs: EpochLogs): EpochPoint {
  return {
    epoch: epoch + 1,
    loss: logs.loss,
    accuracy: logs.accuracy ?? NaN,
    testLoss: logs.valLoss ?? NaN,
    testAccuracy: logs.valAccuracy ?? NaN,
    lr: logs.lr,
  };
}

/** Trains up to `epochs` epochs; more than one means playing (until paused). */
async function train(r: Run, epochs: number): Promise<void> {
  const play = epochs > 1;
  /** When the next epoch may end, at the current pace (never ahead of now: no catching up in bursts). */
  let due = now();
  playing = play;
  r.speed = [{ t: now(), steps: r.model.batchesTrained }];
  if (play) postFrame(r);
  try {
    await r.model.fit(r.data.train.x, r.data.train.y, {
      epochs,
      batchSize: batchSize(r.settings),
      validationData: { x: r.data.test.x, y: r.data.test.y },
      callbacks: [{
        onEpochEnd: async (epoch, logs, model) => {
          r.pending.push(point(epoch, logs));
          if (epoch === 0) r.firstEpochLoss = logs.loss;
          if (play && now() - r.lastFrame >= FRAME_MS) postFrame(r);
          if (play && !wantPlay) {
            model.requestStop('paused');
            return;
          }
          due = pace === Infinity ? now() : Math.max(due + 1000 / pace, now());
          if (play && due > now()) await sleep(due - now());
        },
      }],
    });
  } finally {
    playing = false;
    postFrame(r);
  }
}

function stepsPerSec(r: Run): number {
  if (!playing) return 0;
  const t = now();
  r.speed.push({ t, steps: r.model.batchesTrained });
  while (r.speed.length > 2 && t - r.speed[1].t >= SPEED_WINDOW_MS) r.speed.shift();
  const first = r.speed[0];
  return t > first.t ? ((r.model.batchesTrained - first.steps) * 1000) / (t - first.t) : 0;
}

function postFrame(r: Run): void {
  const grid = r.model.predict(r.grid);
  const t = now();
  const neurons = !playing || t - r.lastNeurons >= NEURON_MS ? neuronView(r.model.getWeights(), r.settings, r.neuronGrid, NEURON_GRID) : null;
  if (neurons !== null) r.lastNeurons = t;
  const frame: FrameMessage = {
    type: 'frame', run: r.id, epoch: r.model.epochsTrained, steps: r.model.batchesTrained,
    points: r.pending, grid, gridSize: GRID_SIZE, outputs: r.model.outputSize, neurons,
    stepsPerSec: stepsPerSec(r), firstEpochLoss: r.firstEpochLoss, playing,
  };
  r.pending = [];
  r.lastFrame = now();
  post(frame, [grid.buffer]);
}
