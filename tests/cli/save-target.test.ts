/** The atomic write's target checks (named in errors, made before training) and its stale-temp cleanup. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWriteTarget, writeFileAtomic } from '../../src/atomic-write.js';
import { runCli } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'simdnet-save-'));
  dirs.push(d);
  return d;
}

/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('writeFileAtomic and checkWriteTarget', () => {
  it('names the target, not the temp file, when the directory is missing', async () => {
    await expect(writeFileAtomic('/nonexistent/dir/m.simdnet', 'x')).rejects.toThrow('simdnet: cannot write /nonexistent/dir/m.simdnet: its directory does not exist');
    await expect(checkWriteTarget('/nonexistent/dir/m.simdnet')).rejects.toThrow(/^simdnet: cannot write \/nonexistent\/dir\/m\.simdnet/);
    await expect(writeFileAtomic('/nonexistent/dir/m.simdnet', 'x')).rejects.not.toThrow(/\.tmp/);
  });

  it('refuses a directory as target without writing a temp file beside it', async () => {
    const parent = tempDir();
    const target = join(parent, 'models');
    mkdirSync(target);
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow(`simdnet: cannot write ${target}: it is a directory`);
    expect(readdirSync(parent)).toEqual(['models']);
  });

  it('refuses a directory path that runs through a file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    await expect(checkWriteTarget(join(dir, 'file', 'm.simdnet'))).rejects.toThrow(/a part of its directory path is a file/);
  });

  it('removes temp files of killed saves to the same target, keeps a live one and other files', async () => {
    const dir = tempDir();
    const target = join(dir, 'm.simdnet');
    const dead = deadPid();
    const stale = [`.m.simdnet.${dead}.abc123.tmp`, `.m.simdnet.${dead}.zz9.tmp`];
    for (const name of stale) writeFileSync(join(dir, name), 'half a model');
    const live = `.m.simdnet.${process.pid}.live1.tmp`; // a save of this process still writing
    const old = `.m.simdnet.${process.pid}.old1.tmp`; // this pid, but a day old: the pid was reused
    const other = `.other.simdnet.${dead}.abc.tmp`; // another target's: not ours to judge
    for (const name of [live, old, other, 'notes.txt']) writeFileSync(join(dir, name), 'x');
    const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(dir, old), twoDaysAgo, twoDaysAgo);
    await writeFileAtomic(target, 'model');
    expect(readFileSync(target, 'utf8')).toBe('model');
    expect(readdirSync(dir).sort()).toEqual([live, other, 'm.simdnet', 'notes.txt'].sort());
  });
});

describe('simdnet train --save checks the path before training', () => {
  const run = runCli;

  it('fails at once, naming the target, with no epoch run', async () => {
    for (const [save, why] of [['/nonexistent/dir/m.simdnet', 'its directory does not exist'], [tempDir(), 'it is a directory']]) {
      const r = await run('train', '--toy', 'xor', '--epochs', '50', '--layers', '4', '--backend', 'js', '--save', save);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`simdnet: cannot write ${save}: ${why}`);
      expect(r.stdout + r.stderr).not.toMatch(/epoch 1\//);
    }
  });
});
