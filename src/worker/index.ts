/** Training in a worker (module Workers in browsers, worker_threads in Node). */
export { trainInWorker, WorkerTrainer } from './host.js';
export type { WireFitOptions } from './protocol.js';
export type { WorkerTrainOptions, WorkerTrainerOptions, TrainingWorker, WebWorkerLike, NodeWorkerLike } from './host.js';
