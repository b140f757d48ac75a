/**
 * Drawing functions for training runs: training curves, learning-rate schedules, 2-D decision
 * boundaries, confusion matrices and image grids. They take plain data (arrays, callbacks) and return
 * SVG strings or PNG bytes; only writePlot touches the file system.
 */
export { lineChart, trainingCurves, scheduleChart } from './line.js';
export type {
  LineChartOptions, LineSeries, XY, TrainingHistory, TrainingCurvesOptions, ScheduleFunction, ScheduleChartOptions,
} from './line.js';
export { decisionBoundary, probabilityColor } from './boundary.js';
export type { DecisionBoundaryOptions, Bounds } from './boundary.js';
export type { Rgb } from './color.js';
export { confusionMatrixChart } from './confusion.js';
export type { ConfusionMatrixOptions } from './confusion.js';
export { imageGrid, captionedImageGrid, misclassifiedGrid } from './images.js';
export type { ImageGridOptions, CaptionedImageGridOptions, MisclassifiedGridOptions, Caption } from './images.js';
export { convFilters } from './filters.js';
export type { ConvFiltersOptions } from './filters.js';
export { writePlot } from './write.js';
