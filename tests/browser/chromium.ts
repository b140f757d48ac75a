/**
 * Shared helpers for the tests that run in a real browser (`npm run test:browser`): launch Debian's
 * Chromium through playwright-core, and serve files to it over HTTP from 127.0.0.1.
 *
 * Why playwright-core with the system Chromium: playwright's own browser download needs the network,
 * which CI does not have; playwright-core ships no browser and drives the one apt installs
 * (.ci/run installs it when /usr/bin/chromium is missing).
 *
 * Why a server rather than file:// URLs: module scripts, module Workers and `fetch` are refused on
 * file:// origins, so pages must come from http://. An ephemeral port on 127.0.0.1 keeps parallel
 * test files from colliding and keeps the traffic on this machine.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian's chromium package installs the browser (override with SIMDNET_CHROMIUM). */
export const CHROMIUM_PATH = process.env.SIMDNET_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium. The flags: --no-sandbox because CI runs as root (Chromium refuses its
 * sandbox as root); --disable-gpu because there is none; the rest stop background network traffic
 * (updates, sync, QUIC probes), which has nowhere to go here and only slows start-up.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  // Module scripts and module Workers must be served with a JavaScript MIME type, or the browser refuses them.
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // application/wasm lets WebAssembly.instantiateStreaming accept the response.
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

export interface StaticServer {
  /** e.g. `http://127.0.0.1:43210` (no trailing slash). */
  readonly origin: string;
  /** Every path requested so far (for tests that check what a page fetched). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Serves the files under `root` on 127.0.0.1 with an ephemeral port. `/` and directory paths serve
 * their index.html. Paths that resolve outside `root` get 403, missing files 404. `isolated` adds the
 * COOP same-origin and COEP require-corp headers to every response (a cross-origin isolated page).
 */
export async function serveStatic(root: string, options: { readonly isolated?: boolean } = {}): Promise<StaticServer> {
  // Cross-origin isolation (what shared memory, and so simdnet's threads, need in a browser).
  const isolation: Record<string, string> = options.isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const base = resolve(root);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push(path);
      // Browsers ask for a favicon on their own; an empty answer keeps that 404 out of openPage's errors.
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      let file = resolve(base, '.' + path);
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = resolve(file, 'index.html');
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          // Tests rebuild files between runs; never let the browser reuse an old copy.
          'cache-control': 'no-store',
          ...isolation,
        });
        res.end(body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('serveStatic: server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/**
 * Opens a page and collects its uncaught errors and console errors, so a test can assert there were
 * none (a broken bundle often shows up only there).
 */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}
