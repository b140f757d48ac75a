/**
 * `--plot DIR`: the pictures of a training run. Training curves and the learning-rate schedule for
 * every run; the decision boundary for 2-D toy sets; a confusion matrix and a grid of misclassified
 * images for image data, and the first convolution's filters for a CNN. Each is written atomically; returns the paths written.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Sequential } from '../model/sequential.js';
import type { History } from '../train/fit.js';
import { trainingCurves, scheduleChart } from '../plot/line.js';
import { decisionBoundary } from '../plot/boundary.js';
import { confusionMatrixChart } from '../plot/confusion.js';
import { misclassifiedGrid } from '../plot/images.js';
import { convFilters } from '../plot/filters.js';
import { writePlot } from '../plot/write.js';
import type { LoadedData } from './data-source.js';
import { makeSchedule, type TrainSettings } from './settings.js';

export async function drawPlots(dir: string, model: Sequential, data: LoadedData, history: History, s: TrainSettings): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, content: string | Uint8Array): Promise<void> => {
    const path = join(dir, name);
    await writePlot(path, content);
    written.push(path);
  };

  const curves = trainingCurves(history.history);
  if (curves.loss) await put('loss.svg', curves.loss);
  if (curves.accuracy) await put('accuracy.svg', curves.accuracy);

  const schedule = makeSchedule(s.schedule, s.lr, s.epochs);
  const fn = typeof schedule === 'number' ? Object.assign(() => schedule, { unit: 'epoch' }) : schedule;
  await put('learning-rate.svg', scheduleChart(fn, { steps: s.epochs, unit: 'epoch' }));

  const { test } = data;
  if (data.kind === 'toy') {
    await put('decision-boundary.svg', decisionBoundary({
      predict: (xy) => model.predict(xy),
      points: { x: test.x, y: test.y },
      classes: test.classes,
      title: `Decision boundary (test points), ${data.name}`,
    }));
  }
  if (data.kind === 'images') {
    const predicted = model.predictClasses(test.x);
    await put('confusion-matrix.svg', confusionMatrixChart(model.confusionMatrix(test.x, test.y), { labels: test.labelNames }));
    if (test.shape) {
      const [height, width, channels] = test.shape;
      // Every test image goes in, so the title counts all the errors; the grid shows the first ones.
      await put('misclassified.svg', misclassifiedGrid({
        images: test.x, height, width, channels, columns: 12, scale: 2,
        trueLabels: test.y, predicted, labels: test.labelNames,
      }));
    }
    // A CNN: what its first convolution learned.
    const first = model.getWeights().find((w) => w.shape.length === 4 && w.name.endsWith('/kernel'));
    if (first !== undefined) {
      const [kh, kw, inC, outC] = first.shape;
      await put('filters.svg', convFilters({ kernel: first.values, shape: [kh, kw, inC, outC], title: `Filters of ${first.name.replace(/\/kernel$/, '')} (${outC} of ${kh}\u00d7${kw}\u00d7${inC})` }));
    }
  }
  return written;
}
