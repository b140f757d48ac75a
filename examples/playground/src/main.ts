/**
 * The page: binds the controls to the settings (and the settings to the URL), sends them to the
 * training worker, and draws what the worker sends back. Nothing heavy runs here: the worker trains
 * and evaluates the heat map's grid; this thread only paints.
 */
import { activationLabel } from '../../../src/backend/activations.js';
import { blobs, toyDataset } from '../../../src/data/toy.js';
import { lineChart, scheduleChart, type XY } from '../../../src/plot/line.js';
import { seriesColor } from '../../../src/plot/color.js';
import { HeatMapCanvas, drawThumbnail, type Heat } from './draw.js';
import { drawNetwork, type NeuronView } from './network.js';
import type { DatasetMessage, EpochPoint, FrameMessage, FromWorker, ToWorker } from './protocol.js';
import { architecture, learningRate } from './setup.js';
import {
  ACTIVATION_CHOICES, BATCH_SIZES, DATASETS, DATASET_NOISE, LEARNING_RATES, MAX_LAYERS, MAX_WIDTH, OPTIMIZERS, PACES,
  PENALTIES, SCHEDULES, SCHEDULE_PARAMS, changeSetting, classCount, formatSetting, parseSetting, readSettings,
  writeSettings, type Settings,
} from './settings.js';

// ---- labels of the menus (the values themselves come from settings.ts; activations label themselves) ----

const LABELS: Readonly<Record<string, string>> = {
  spirals: 'Spirals', circles: 'Circles', xor: 'XOR', moons: 'Moons', blobs: 'Blobs',
  sgd: 'SGD', momentum: 'SGD + momentum 0.9', adam: 'Adam', rmsprop: 'RMSprop', adagrad: 'Adagrad',
  constant: 'constant', inverseTime: 'inverse-time decay', exponential: 'exponential decay', stepDecay: 'step decay',
  cosine: 'cosine decay', plateau: 'reduce on plateau',
};
const PACE_LABELS: Readonly<Record<Settings['pace'], string>> = { '10': '10 epochs/s', '60': '60 epochs/s', '300': '300 epochs/s', max: 'as fast as possible' };

/** Charts are rebuilt at most this often (they are SVG; the heat map is redrawn on every frame). */
const CHART_MS = 150;
/** Curve points kept; beyond it every other point is dropped (the charts are a few hundred px wide). */
const MAX_POINTS = 2000;

const $ = <T extends Element>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (el === null) throw new Error(`playground: the page has no ${selector}`);
  return el;
};

// ---- state ----

const parsed = readSettings(location.search);
let settings: Settings = parsed.settings;
let runId = 0;
let wantPlay = false;
let dataset: DatasetMessage | null = null;
let heat: Heat | null = null;
/** The latest neuron maps and weights for the network diagram (the worker sends them every ~100 ms). */
let neurons: NeuronView | null = null;
let latest: FrameMessage | null = null;
/** The curves: every `stride`-th epoch, plus the latest point. */
let curve: EpochPoint[] = [];
let stride = 1;
let lastPoint: EpochPoint | null = null;
/** Steps per second measured per backend for the current setup (other settings equal). */
let speeds: Partial<Record<Settings['backend'], number>> = {};
let speedKey = '';
let chartsDirty = true;
let lastCharts = 0;
let heatDirty = true;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'simdnet-training' });
const send = (message: ToWorker): void => worker.postMessage(message);

const heatMap = new HeatMapCanvas($<HTMLCanvasElement>('#heatmap'), 400);

// ---- controls ----

function fillSelect(key: keyof Settings, values: readonly (string | number)[], label: (v: string | number) => string): void {
  const select = $<HTMLSelectElement>(`select[data-setting="${key}"]`);
  select.replaceChildren(...values.map((v) => new Option(label(v), String(v))));
}

/** 'step' names an activation too: the schedule's label has its own key. */
function scheduleLabel(v: Settings['schedule']): string {
  return v === 'step' ? LABELS.stepDecay : LABELS[v];
}

function numberLabel(v: string | number): string {
  return Number(v) === 0 ? 'none' : String(v);
}

fillSelect('pace', PACES, (v) => PACE_LABELS[v as Settings['pace']]);
fillSelect('activation', ACTIVATION_CHOICES, (v) => activationLabel(String(v)));
fillSelect('optimizer', OPTIMIZERS, (v) => LABELS[v] ?? String(v));
fillSelect('lr', LEARNING_RATES, String);
fillSelect('l2', PENALTIES, numberLabel);
fillSelect('l1', PENALTIES, numberLabel);
fillSelect('schedule', SCHEDULES, (v) => scheduleLabel(v as Settings['schedule']));
fillSelect('batchSize', BATCH_SIZES, String);

/** The data-set buttons, each with a thumbnail of its points. */
function buildDatasetButtons(): void {
  const box = $<HTMLDivElement>('#datasets');
  for (const name of DATASETS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.value = name;
    button.dataset.testid = `data-${name}`;
    const canvas = document.createElement('canvas');
    const ds = name === 'blobs'
      ? blobs({ n: 150, noise: DATASET_NOISE.blobs, seed: 3, classes: 3 })
      : toyDataset(name, { n: 150, noise: DATASET_NOISE[name], seed: 3 });
    drawThumbnail(canvas, 52, ds);
    const caption = document.createElement('span');
    caption.textContent = LABELS[name];
    button.append(canvas, caption);
    box.append(button);
  }
}
buildDatasetButtons();

/** Sets one setting from a control: showTest and pace apply at once, every other change starts a new run. */
function set<K extends keyof Settings>(key: K, value: Settings[K]): void {
  if (value === settings[key] && key !== 'layers') return;
  settings = changeSetting(settings, key, value);
  history.replaceState(null, '', `${location.pathname}${writeSettings(settings)}`);
  showSettings();
  if (key === 'showTest') {
    heatDirty = true;
    showLegend();
  } else if (key === 'pace') {
    send({ type: 'pace', pace: settings.pace });
  } else {
    configure();
  }
}

function readControl(el: HTMLInputElement | HTMLSelectElement): void {
  const key = el.dataset.setting as keyof Settings;
  const text = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value;
  const value = parseSetting(key, text);
  if (value === undefined) {
    status(`${key}: ${text} is not a valid value`);
    showSettings();
    return;
  }
  set(key, value);
}

for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[data-setting], select[data-setting]')) {
  // Sliders apply when released ('change'); their readout follows the thumb while dragging ('input').
  el.addEventListener('change', () => readControl(el));
  if (el instanceof HTMLInputElement && el.type === 'range') {
    el.addEventListener('input', () => {
      const out = document.querySelector(`output[data-show="${el.dataset.setting}"]`);
      if (out !== null) out.textContent = showValue(el.dataset.setting as keyof Settings, Number(el.value));
    });
  }
}
for (const group of document.querySelectorAll<HTMLElement>('div[data-setting]')) {
  group.addEventListener('click', (event) => {
    const button = (event.target as Element).closest('button');
    if (button === null || !group.contains(button)) return;
    const key = group.dataset.setting as keyof Settings;
    const value = parseSetting(key, button.value);
    if (value !== undefined) set(key, value);
  });
}

function showValue(key: keyof Settings, v: number): string {
  if (key === 'split') return `${Math.round(v * 100)}% train`;
  if (key === 'dropout') return v === 0 ? 'off' : String(v);
  return String(v);
}

/** The hidden-layer editor: a width per layer with − and +, and buttons to add or remove a layer. */
function showLayers(): void {
  const box = $<HTMLDivElement>('#layers');
  const items: HTMLElement[] = settings.layers.map((units, i) => {
    const chip = document.createElement('div');
    chip.className = 'layer';
    const minus = button('−', `Fewer units in layer ${i + 1}`, () => setWidth(i, units - 1), units <= 1);
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '1';
    input.max = String(MAX_WIDTH);
    input.value = String(units);
    input.setAttribute('aria-label', `Units in layer ${i + 1}`);
    input.dataset.testid = `layer-${i}`;
    input.addEventListener('change', () => setWidth(i, Math.round(Number(input.value))));
    const plus = button('+', `More units in layer ${i + 1}`, () => setWidth(i, units + 1), units >= MAX_WIDTH);
    chip.append(minus, input, plus);
    return chip;
  });
  const add = button('+ layer', 'Add a hidden layer', () => set('layers', [...settings.layers, settings.layers.at(-1) ?? 8]), settings.layers.length >= MAX_LAYERS);
  add.classList.add('text');
  add.dataset.testid = 'add-layer';
  const remove = button('− layer', 'Remove the last hidden layer', () => set('layers', settings.layers.slice(0, -1)), settings.layers.length === 0);
  remove.classList.add('text');
  remove.dataset.testid = 'remove-layer';
  if (items.length === 0) {
    const none = document.createElement('span');
    none.className = 'muted';
    none.textContent = 'none: softmax regression';
    items.push(none);
  }
  box.replaceChildren(...items, add, remove);
}

function setWidth(i: number, units: number): void {
  if (!(units >= 1 && units <= MAX_WIDTH)) {
    status(`a layer has 1 to ${MAX_WIDTH} units`);
    showLayers();
    return;
  }
  const layers = [...settings.layers];
  layers[i] = units;
  set('layers', layers);
}

function button(label: string, title: string, onClick: () => void, disabled: boolean): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = label;
  b.title = title;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

/** Puts the settings into every control and shows or hides the controls that depend on others. */
function showSettings(): void {
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[data-setting], select[data-setting]')) {
    const key = el.dataset.setting as keyof Settings;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = settings[key] === true;
    else el.value = formatSetting(key, settings[key] as never);
  }
  for (const group of document.querySelectorAll<HTMLElement>('div[data-setting]')) {
    const current = formatSetting(group.dataset.setting as keyof Settings, settings[group.dataset.setting as keyof Settings] as never);
    for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.value === current));
  }
  for (const out of document.querySelectorAll<HTMLOutputElement>('output[data-show]')) {
    const key = out.dataset.show as keyof Settings;
    out.textContent = showValue(key, settings[key] as number);
  }
  const when: Record<string, boolean> = {
    blobs: settings.data === 'blobs' && settings.model === 'network',
    'blobs-neuron': settings.data === 'blobs' && settings.model === 'neuron',
    network: settings.model === 'network',
    neuron: settings.model === 'neuron',
    sigmoid: settings.activation === 'sigmoid',
    step: settings.activation === 'step',
    decay: SCHEDULE_PARAMS[settings.schedule] !== null,
    mini: settings.batch === 'mini',
  };
  for (const el of document.querySelectorAll<HTMLElement>('[data-when]')) el.hidden = !when[el.dataset.when ?? ''];
  const decay = SCHEDULE_PARAMS[settings.schedule];
  if (decay !== null) {
    $('#decay-label').textContent = decay.label;
    const input = $<HTMLInputElement>('input[data-setting="decay"]');
    input.min = String(decay.min);
    input.max = String(decay.max);
    input.step = String(decay.step);
  }
  $('#activation-label').textContent = settings.model === 'neuron' ? 'Activation of the neuron' : 'Activation of the hidden layers';
  showLayers();
  networkDirty = true;
  const loss = settings.model === 'neuron' ? 'squared error' : 'softmax, cross-entropy';
  const weights = dataset !== null ? ` · ${dataset.parameters} weights` : '';
  $('#architecture').textContent = `${architecture(settings, classCount(settings))}${weights}\n${loss}`;
  chartsDirty = true;
}

// ---- runs ----

function resetView(): void {
  dataset = null;
  heat = null;
  neurons = null;
  latest = null;
  curve = [];
  stride = 1;
  lastPoint = null;
  chartsDirty = heatDirty = true;
  document.body.dataset.ready = '0';
  const key = writeSettings({ ...settings, backend: 'wasm', pace: 'max', showTest: false });
  if (key !== speedKey) {
    speedKey = key;
    speeds = {};
  }
  showStats();
}

/** Starts a new run with the current settings; a playing run goes on playing. */
function configure(): void {
  resetView();
  status('');
  send({ type: 'configure', run: ++runId, settings });
  if (wantPlay) send({ type: 'play' });
}

function setPlaying(play: boolean): void {
  wantPlay = play;
  const b = $<HTMLButtonElement>('#play');
  b.classList.toggle('playing', play);
  b.setAttribute('aria-label', play ? 'Pause' : 'Play');
  document.body.dataset.playing = play ? '1' : '0';
}

$('#play').addEventListener('click', () => {
  setPlaying(!wantPlay);
  send({ type: wantPlay ? 'play' : 'pause' });
});
$('#step').addEventListener('click', () => {
  if (wantPlay) {
    setPlaying(false);
    send({ type: 'pause' });
  }
  send({ type: 'step' });
});
$('#reset').addEventListener('click', () => {
  setPlaying(false);
  send({ type: 'pause' });
  configure();
});
$('#reseed').addEventListener('click', () => set('seed', Math.floor(Math.random() * 1_000_000)));
$('#share').addEventListener('click', () => {
  navigator.clipboard.writeText(location.href).then(
    () => status('Link copied: it opens this setup.'),
    () => status(`Copy this link: ${location.href}`),
  );
});
document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement;
  if (target.matches('input, select, textarea') || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === ' ') {
    // A focused button already answers space by clicking itself.
    if (target.matches('button')) return;
    event.preventDefault();
    $<HTMLButtonElement>('#play').click();
  } else if (event.key === 's' || event.key === 'S') {
    $<HTMLButtonElement>('#step').click();
  } else if (event.key === 'r' || event.key === 'R') {
    $<HTMLButtonElement>('#reset').click();
  }
});

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.run !== runId && message.run !== -1) return;
  switch (message.type) {
    case 'dataset':
      dataset = message;
      heatDirty = true;
      showSettings();
      showLegend();
      return;
    case 'frame':
      onFrame(message);
      return;
    case 'error':
      setPlaying(false);
      if (message.diverged) {
        status(`Training diverged: the loss is no longer finite. Lower the learning rate and press reset.`);
      } else {
        // Not a setting to change: a bug, shown in the console too.
        console.error(`playground worker: ${message.message}`);
        status(`Error: ${message.message}`);
      }
  }
});
worker.addEventListener('error', (event) => {
  console.error(`playground worker failed: ${event.message}`);
  status('The training worker failed to start; see the console.');
});

function onFrame(frame: FrameMessage): void {
  latest = frame;
  document.body.dataset.training = frame.playing ? '1' : '0';
  heat = frame;
  if (frame.neurons !== null) {
    neurons = frame.neurons;
    networkDirty = true;
  }
  for (const p of frame.points) {
    lastPoint = p;
    if (p.epoch % stride === 0) curve.push(p);
  }
  if (curve.length > MAX_POINTS) {
    stride *= 2;
    curve = curve.filter((p) => p.epoch % stride === 0);
  }
  if (frame.stepsPerSec > 0 && wantPlay && settings.pace === 'max') speeds[dataset?.backend ?? settings.backend] = frame.stepsPerSec;
  heatDirty = chartsDirty = true;
  document.body.dataset.ready = '1';
  showStats();
}

// ---- readouts ----

function status(text: string): void {
  $('#status').textContent = text;
}

function put(testid: string, value: number, text: string): void {
  const out = $<HTMLOutputElement>(`[data-testid="${testid}"]`);
  out.dataset.value = String(value);
  out.textContent = text;
}

const fixed = (digits: number) => (v: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const percent = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
const grouped = (v: number): string => Math.round(v).toLocaleString('en-US');

function showStats(): void {
  const p = lastPoint;
  const none = NaN;
  put('train-loss', p?.loss ?? none, fixed(4)(p?.loss ?? none));
  put('test-loss', p?.testLoss ?? none, fixed(4)(p?.testLoss ?? none));
  put('train-accuracy', p?.accuracy ?? none, percent(p?.accuracy ?? none));
  put('test-accuracy', p?.testAccuracy ?? none, percent(p?.testAccuracy ?? none));
  put('train-zero-one', p === null ? none : 1 - p.accuracy, fixed(3)(p === null ? none : 1 - p.accuracy));
  put('test-zero-one', p === null ? none : 1 - p.testAccuracy, fixed(3)(p === null ? none : 1 - p.testAccuracy));
  put('epoch', latest?.epoch ?? 0, grouped(latest?.epoch ?? 0));
  const sps = wantPlay ? latest?.stepsPerSec ?? 0 : 0;
  put('steps-per-sec', sps, sps > 0 ? grouped(sps) : '–');
  const first = latest?.firstEpochLoss ?? null;
  put('first-epoch-loss', first ?? none, first === null ? '– (train one epoch)' : first.toFixed(6));
  const backend = dataset?.backend ?? settings.backend;
  $('#first-backend').textContent = backend === 'wasm' ? 'wasm SIMD' : 'JavaScript';
  $('#first-loss').setAttribute('data-backend', backend);
  showSpeeds();
}

/**
 * The two backends' speeds on this setup, once both were measured at full speed; until then the line
 * says how to measure them (the steps/s counter above shows the current run's speed).
 */
function showSpeeds(): void {
  const { wasm, js } = speeds;
  let text = '';
  if (wasm !== undefined && js !== undefined) {
    text = `Speed on this setup: wasm SIMD ${grouped(wasm)} steps/s · JavaScript ${grouped(js)} steps/s — wasm is ${(wasm / js).toFixed(1)}× ${wasm >= js ? 'faster' : 'the speed'}`;
  } else if (wasm !== undefined || js !== undefined) {
    const [done, other] = wasm !== undefined ? [`wasm SIMD ${grouped(wasm)}`, 'JavaScript'] : [`JavaScript ${grouped(js ?? 0)}`, 'wasm SIMD'];
    text = `Speed on this setup: ${done} steps/s. Play on ${other} too to compare.`;
  } else if (settings.pace === 'max') {
    text = 'Play on each backend to compare their speeds.';
  }
  $('#compare').textContent = text;
}

// ---- drawing ----

/** The diagram's width: its panel's, read only when the layout may have changed (reading it forces a layout). */
let networkWidth = 0;
let networkDirty = true;
function measureNetwork(): void {
  const panel = $<HTMLCanvasElement>('#network').parentElement;
  networkWidth = Math.max(160, Math.min(360, (panel?.clientWidth ?? 300) - 32));
  networkDirty = true;
}
addEventListener('resize', measureNetwork);

/** The network diagram: each neuron's output over the input plane, weights by sign and size. */
function drawNetworkNow(): void {
  if (networkWidth === 0) measureNetwork();
  const widths = settings.model === 'neuron' ? [2, 1] : [2, ...settings.layers, classCount(settings)];
  drawNetwork($<HTMLCanvasElement>('#network'), networkWidth, widths, neurons);
  networkDirty = false;
}

/** An SVG string of the plot module into a container (without its XML prolog). */
function showSvg(selector: string, svg: string): void {
  $(selector).innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, '');
}

function drawCharts(): void {
  const xy = (key: keyof EpochPoint): XY[] => {
    const points = curve.map((p) => ({ x: p.epoch, y: p[key] }));
    if (lastPoint !== null && curve.at(-1) !== lastPoint) points.push({ x: lastPoint.epoch, y: lastPoint[key] });
    return points;
  };
  if (curve.length < 2 && (lastPoint === null || lastPoint.epoch === 0)) {
    // One point (epoch 0) makes no curve: say how to get one.
    for (const id of ['#loss-chart', '#accuracy-chart']) $(id).innerHTML = `<div class="empty">${id === '#loss-chart' ? 'Loss' : 'Accuracy'} curves appear as it trains</div>`;
    drawSchedule();
    return;
  }
  // Train and test in the CLI's colours (solid blue, dashed vermillion), with their legend in the chart.
  // A log epoch axis: the first epochs, where the loss falls fastest, keep their width however long it
  // trains (epoch 0, the untrained model, is in the table above, not on a log axis).
  const style = { train: { color: seriesColor(0) }, test: { color: seriesColor(1), dashed: true } };
  const chart = { width: 320, height: 200, xLabel: 'epoch (log scale)', legend: true, logX: true } as const;
  showSvg('#loss-chart', lineChart({
    ...chart, title: 'Loss', yLabel: settings.model === 'neuron' ? 'squared error' : 'cross-entropy',
    series: [{ name: 'train', values: xy('loss'), ...style.train }, { name: 'test', values: xy('testLoss'), ...style.test }],
  }));
  showSvg('#accuracy-chart', lineChart({
    ...chart, title: 'Accuracy', yLabel: 'accuracy',
    series: [{ name: 'train', values: xy('accuracy'), ...style.train }, { name: 'test', values: xy('testAccuracy'), ...style.test }],
  }));
  drawSchedule();
}

/**
 * The learning rate over the epochs: the schedule's curve ahead (a schedule is a function of the
 * epoch), or for reduce-on-plateau, which depends on the losses, the rates used so far.
 */
function drawSchedule(): void {
  const epoch = latest?.epoch ?? 0;
  const size = { width: 268, height: 150 } as const;
  if (settings.schedule === 'plateau') {
    const used = curve.filter((p) => p.epoch > 0).map((p) => ({ x: p.epoch - 1, y: p.lr }));
    const values = used.length > 0 ? used : [{ x: 0, y: settings.lr }];
    showSvg('#schedule-chart', lineChart({ ...size, title: `${scheduleLabel('plateau')}: rates used`, xLabel: 'epoch', series: [{ name: 'lr', values, color: seriesColor(0) }] }));
    return;
  }
  const lr = learningRate(settings);
  const param = SCHEDULE_PARAMS[settings.schedule];
  const horizon = Math.max(settings.schedule === 'cosine' ? Math.ceil(settings.decay * 1.2) : param !== null && settings.schedule === 'step' ? settings.decay * 4 : 200, Math.ceil(epoch * 1.25), 2);
  const fn = typeof lr === 'number' ? Object.assign(() => lr, { unit: 'epoch' }) : lr;
  showSvg('#schedule-chart', scheduleChart(fn, { ...size, steps: horizon, title: `${scheduleLabel(settings.schedule)} · epoch ${grouped(epoch)}` }));
}

function render(now: number): void {
  if (heatDirty && dataset !== null) {
    heatMap.draw({ bounds: dataset.bounds, classes: dataset.classes, train: dataset.train, test: dataset.test, showTest: settings.showTest }, heat);
    heatDirty = false;
  }
  // The diagram and the charts at most every CHART_MS: the heat map is what has to move smoothly.
  if ((chartsDirty || networkDirty) && now - lastCharts >= CHART_MS) {
    if (networkDirty) drawNetworkNow();
    drawCharts();
    chartsDirty = false;
    lastCharts = now;
  }
  requestAnimationFrame(render);
}

function showLegend(): void {
  const classes = dataset?.classes ?? 2;
  const items = Array.from({ length: classes }, (_, k) => `<span><i class="dot" style="background:${seriesColor(k)}"></i>class ${k}</span>`);
  if (settings.showTest) items.push('<span><i class="dot ring"></i>test point (dark rim)</span>');
  $('#legend').innerHTML = items.join('');
}

// ---- start ----

if (parsed.notes.length > 0) {
  const notice = $<HTMLParagraphElement>('#notice');
  notice.textContent = `Some settings in the link were not used: ${parsed.notes.join('; ')}.`;
  notice.hidden = false;
}
setPlaying(false);
showSettings();
configure();
requestAnimationFrame(render);
