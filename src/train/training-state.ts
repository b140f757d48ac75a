/**
 * A model's training bookkeeping, apart from its numbers: the progress counters fit() advances (and a
 * saved file keeps), the lock that refuses a second concurrent fit(), and a pending stop request.
 */

/** Counters, lock and stop request of one model (see the file comment). */
export class TrainingState {
  /** Epochs completed by fit() since the model was made (saved with it). */
  epochs = 0;
  /** Optimizer steps (batches) completed by fit() since the model was made (saved with it). */
  batches = 0;
  /** True while a fit() (or a worker's training) runs: a second one would interleave its steps. */
  training = false;
  private stopReason: string | null = null;

  /** Asks the running fit() to stop after the current epoch, with this stopReason. */
  requestStop(reason: string): void {
    this.stopReason = reason;
  }

  /** Reads and clears a stop request (null when there is none). */
  takeStopRequest(): string | null {
    const s = this.stopReason;
    this.stopReason = null;
    return s;
  }
}
