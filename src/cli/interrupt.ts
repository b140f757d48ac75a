/**
 * Ctrl-C (SIGINT) and SIGTERM during `simdnet train`: the first one asks training to stop after the
 * current batch (through fit's AbortSignal), so the run can still be saved; a second one exits at
 * once. Either way the terminal gets its cursor back (the progress bar hides it).
 */

/** The exit code of a process ended by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** Thrown after an interrupted run was wound down (and saved): main() exits with its code. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signalName: StopSignal) {
    super(`interrupted by ${signalName}`);
  }

  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.signalName];
  }
}

/** Shows the cursor again (cli-progress hides it while a bar runs). */
export function restoreTerminal(): void {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
}

export interface InterruptWatch {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  readonly received: StopSignal | null;
  /** Removes the handlers (the default behaviour, exit at once, comes back). */
  dispose(): void;
}

/** Installs the handlers; `notice` is told about the first signal (to say that the run is winding down). */
export function watchInterrupts(notice: (signalName: StopSignal) => void): InterruptWatch {
  const controller = new AbortController();
  let received: StopSignal | null = null;
  const handler = (signalName: StopSignal): void => {
    if (received !== null) {
      restoreTerminal();
      process.exit(SIGNAL_EXIT_CODES[signalName]);
    }
    received = signalName;
    controller.abort();
    notice(signalName);
  };
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((name) => [name, () => handler(name)] as const);
  for (const [name, listener] of listeners) process.on(name, listener);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose: () => {
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
