/**
 * SIGINT / SIGTERM during `simdnet train --save`: the run stops after the current batch, is saved, and
 * the CLI exits 130 / 143. Runs the built CLI (bin/simdnet.js, built by `npm test`) as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Interrupted, watchInterrupts } from '../../src/cli/interrupt.js';
import { jsBackend } from '../../src/backend/init.js';
import { loadModel } from '../../src/model/persist.js';

const BIN = fileURLToPath(new URL('../../bin/simdnet.js', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Outcome { code: number | null; stdout: string; stderr: string }

/** Starts a long training run and sends `signals` (one after another) once it printed its first epoch line. */
function interruptedRun(save: string, signals: NodeJS.Signals[]): Promise<Outcome> {
  const child = spawn(process.execPath, [
    BIN, 'train', '--toy', 'blobs', '--samples', '400', '--layers', '8', '--epochs', '100000', '--batch', '16',
    '--backend', 'js', '--save', save,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && /epoch +\d+\/100000/.test(stdout)) {
      sent = true;
      for (const s of signals) child.kill(s);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('simdnet train under SIGINT / SIGTERM', () => {
  it('a first SIGINT stops after the batch, saves the model (and says so), and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-int-'));
    dirs.push(dir);
    const save = join(dir, 'run.simdnet');
    const r = await interruptedRun(save, ['SIGINT']);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`SIGINT: stopping after this batch and saving to ${save}`);
    expect(r.stdout).toMatch(/interrupted after \d+ epochs/);
    expect(r.stdout).toContain(`saved model to ${save}`);
    const model = await loadModel(save, { backend: jsBackend() });
    try {
      expect(model.inputSize).toBe(2);
      expect(model.batchesTrained).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });

  it('SIGTERM exits 143 and saves too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-int-'));
    dirs.push(dir);
    const r = await interruptedRun(join(dir, 'a.simdnet'), ['SIGTERM']);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stdout).toContain(`saved model to ${join(dir, 'a.simdnet')}`);
  });

  it('the first signal aborts the run; a second one exits at once with its code; dispose restores the default', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const notices: string[] = [];
    const watch = watchInterrupts((s) => notices.push(s));
    const before = process.listenerCount('SIGTERM');
    try {
      process.emit('SIGTERM');
      expect(watch.signal.aborted).toBe(true);
      expect(watch.received).toBe('SIGTERM');
      expect(notices).toEqual(['SIGTERM']);
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
      expect(new Interrupted('SIGTERM').exitCode).toBe(143);
    } finally {
      watch.dispose();
      exit.mockRestore();
    }
    expect(process.listenerCount('SIGTERM')).toBe(before - 1);
  });
});
