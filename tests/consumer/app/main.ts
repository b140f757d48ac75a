// What an app writes: import the package by name, train in the page and in a worker, draw a plot.
// Built by `vite build` with no vite.config (tests/consumer/consumer.test.ts), then run in Chromium.
import { adam, decisionBoundary, init, mlp, moons, trainInWorker, type Sequential } from 'simdnet';

export interface ConsumerResult {
  backend: string;
  /** The worker-trained weights equal the page-trained ones, bit for bit. */
  sameBits: boolean;
  workerEpochs: number;
  batchEvents: number;
  accuracy: number;
  /** The decision boundary as PNG bytes starts with the PNG signature (the browser-safe encoder ran). */
  png: boolean;
}

async function run(): Promise<ConsumerResult> {
  const backend = await init();
  const data = moons({ n: 300, seed: 3 });
  const make = (): Sequential =>
    mlp({ inputSize: 2, hidden: [32, 32], outputs: data.classes, activation: 'tanh', backend, seed: 1 })
      .compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.02 }) });
  const options = { epochs: 60, batchSize: 32 };
  const here = make();
  const there = make();
  await here.fit(data.x, data.y, options);
  let batchEvents = 0;
  const history = await trainInWorker(there, data.x.slice(), data.y.slice(), { ...options, onBatchEnd: () => batchEvents++ });
  const a = new Uint32Array(here.getFlatWeights().buffer);
  const b = new Uint32Array(there.getFlatWeights().buffer);
  const png = decisionBoundary({ predict: (xy) => there.predict(xy), points: data, classes: data.classes, format: 'png', resolution: 40 });
  const svg = decisionBoundary({ predict: (xy) => there.predict(xy), points: data, classes: data.classes, resolution: 40 });
  document.getElementById('out')!.innerHTML = svg;
  return {
    backend: backend.name,
    sameBits: a.length === b.length && a.every((v, i) => v === b[i]),
    workerEpochs: history.epochs,
    batchEvents,
    accuracy: there.evaluate(data.x, data.y).accuracy,
    png: [0x89, 0x50, 0x4e, 0x47].every((v, i) => png[i] === v),
  };
}

const page = window as unknown as { consumerResult?: ConsumerResult; consumerError?: string };
run().then(
  (result) => {
    page.consumerResult = result;
    document.title = 'done';
  },
  (e: unknown) => {
    page.consumerError = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    document.title = 'failed';
  },
);
