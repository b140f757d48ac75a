/**
 * `simdnet export MODEL --format onnx|tfjs|safetensors|pytorch --out PATH`: a saved model in another
 * library's format. Every file is written atomically (src/atomic-write.ts), so an interrupted export
 * never leaves half a file.
 *
 *   onnx         PATH: the .onnx graph (src/io/onnx.ts); --outputs logits|probabilities
 *   safetensors  PATH: the weights under the nn.Sequential state-dict names (src/io/safetensors.ts)
 *   pytorch      PATH: the Python source of that nn.Sequential (src/io/pytorch.ts)
 *   tfjs         PATH/model.json + PATH/weights.bin: the TensorFlow.js layers format (src/io/tfjs.ts)
 */
import { Option, type Command } from 'commander';
import { jsBackend } from '../backend/init.js';
import { loadModel } from '../model/persist.js';
import type { Sequential } from '../model/sequential.js';
import { writeFileAtomic } from '../atomic-write.js';
import { encodeOnnx } from '../io/onnx.js';
import { resolveOnnxOptions } from '../io/onnx-options.js';
import { exportSafetensors } from '../io/safetensors.js';
import { toPyTorchSource } from '../io/pytorch.js';
import { UsageError } from './values.js';

export const EXPORT_FORMATS = ['onnx', 'tfjs', 'safetensors', 'pytorch'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The TensorFlow.js exporter's shape (src/io/tfjs.ts, which another module provides). */
type TfjsExporter = (model: Sequential) => { modelJson: unknown; weightData: Uint8Array };

/**
 * The TensorFlow.js layers exporter, when this build has it. Imported by a computed specifier, so this
 * module compiles whether or not src/io/tfjs.ts exists.
 */
async function tfjsExporter(): Promise<TfjsExporter> {
  const specifier = '../io/tfjs.js';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Error('tfjs export is not available in this build of simdnet (src/io/tfjs.ts is missing)', { cause: e });
    throw e;
  }
  const fn = (mod as { exportTfjsLayers?: unknown }).exportTfjsLayers;
  if (typeof fn !== 'function') throw new Error('tfjs export is not available: src/io/tfjs.ts has no exportTfjsLayers(model)');
  return fn as TfjsExporter;
}

/** Writes `model` in `format` to `out`; returns the paths written. */
async function write(model: Sequential, format: ExportFormat, out: string, outputs: unknown): Promise<string[]> {
  switch (format) {
    case 'onnx': {
      const o = resolveOnnxOptions(model, outputs === undefined ? {} : { outputs: outputs as 'logits' | 'probabilities' });
      await writeFileAtomic(out, encodeOnnx(model, o));
      return [out];
    }
    case 'safetensors':
      await writeFileAtomic(out, exportSafetensors(model));
      return [out];
    case 'pytorch':
      await writeFileAtomic(out, toPyTorchSource(model));
      return [out];
    case 'tfjs': {
      const { modelJson, weightData } = (await tfjsExporter())(model);
      const { join } = await import('node:path');
      const json = join(out, 'model.json');
      const weights = join(out, 'weights.bin');
      // The weights first: a reader that finds model.json finds the weights it names.
      await writeFileAtomic(weights, weightData, { mkdir: true });
      await writeFileAtomic(json, JSON.stringify(modelJson));
      return [json, weights];
    }
  }
}

/** Registers `simdnet export` on the program. */
export function addExportCommand(program: Command): void {
  program.command('export').description('write a saved model as ONNX, TensorFlow.js layers, safetensors (PyTorch weights) or PyTorch source')
    .argument('<model>', 'a file written by train --save')
    .addOption(new Option('--format <name>', 'the format to write').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <path>', 'the file to write (for tfjs: a directory, which gets model.json and weights.bin)')
    .addOption(new Option('--outputs <what>', "onnx only: the graph's output (default: what predict gives, probabilities for a classifier)").choices(['logits', 'probabilities']))
    .action(async (file: string, o: Record<string, unknown>) => {
      const format = o.format as ExportFormat;
      if (o.outputs !== undefined && format !== 'onnx') throw new UsageError(`--outputs is for --format onnx, not ${format}`);
      // The weights are copied, never computed with: the pure-JS backend needs no wasm start-up.
      const model = await loadModel(file, { backend: jsBackend() });
      try {
        const written = await write(model, format, o.out as string, o.outputs);
        console.log(`wrote ${written.join(' and ')}`);
      } finally {
        model.dispose();
      }
    });
}
