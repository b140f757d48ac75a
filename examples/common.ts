/**
 * What every example shares: its command-line options, its backend, where its pictures go.
 * Run an example with `npm run build && node build/examples/<name>.js [options]`.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { init, writePlot, type ReadyBackend } from '../src/index.js';

export interface ExampleArgs {
  /** A short run (fewer epochs or rows), for CI and a first look. */
  readonly quick: boolean;
  /** The folder the pictures are written to. */
  readonly out: string;
  /** 'wasm' (WebAssembly SIMD), 'js' (pure JavaScript) or 'auto'. */
  readonly backend: 'wasm' | 'js' | 'auto';
  /** Epochs to train, when given (each example has its own default). */
  readonly epochs: number | undefined;
  /** Seeds the data and the weights. */
  readonly seed: number;
}

const USAGE = 'options: --quick, --out DIR (default examples/output), --backend wasm|js|auto (default wasm), --epochs N, --seed N';

function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/**
 * Reads the example's options from the command line. A bad option prints what is wrong and the
 * options there are, and exits with code 2 (as command-line tools do on a usage error).
 */
export function parseExampleArgs(example: string): ExampleArgs {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        quick: { type: 'boolean', default: false },
        out: { type: 'string', default: join('examples', 'output') },
        backend: { type: 'string', default: 'wasm' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    const backend = values.backend;
    if (backend !== 'wasm' && backend !== 'js' && backend !== 'auto') throw new RangeError(`--backend must be wasm, js or auto, got '${backend}'`);
    return {
      quick: values.quick,
      out: values.out,
      backend,
      epochs: integerOption('epochs', values.epochs, 1),
      seed: integerOption('seed', values.seed, 0) ?? 0,
    };
  } catch (e) {
    console.error(`${example}: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
}

/** The backend the example asked for, announced. */
export async function startBackend(args: ExampleArgs): Promise<ReadyBackend> {
  const backend = await init({ backend: args.backend });
  console.log(`backend: ${backend.name}${args.quick ? ' (quick run)' : ''}`);
  return backend;
}

/** Writes a picture into the output folder and says where; returns its path. */
export async function savePicture(args: ExampleArgs, file: string, content: string | Uint8Array): Promise<string> {
  const path = join(args.out, file);
  await writePlot(path, content);
  console.log(`wrote ${path}`);
  return path;
}

/** A number with a fixed count of decimals, padded to `width` (tables line up). */
export function fixed(value: number, decimals: number, width = 0): string {
  return value.toFixed(decimals).padStart(width);
}
