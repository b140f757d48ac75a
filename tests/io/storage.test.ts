/**
 * Storage URLs in Node: loadModel from http:// (fetch, against a local server), from a Response and
 * from file:// URLs; save to file://; and the clear errors for what Node lacks (IndexedDB,
 * localStorage, a page to download from), unknown schemes, HTTP errors and used bodies. The browser
 * schemes themselves are tested in Chromium (tests/browser/storage.test.ts).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dense, loadModel, sequential, type Sequential } from '../../src/index.js';
import { fromBase64, toBase64 } from '../../src/io/storage-base64.js';
import { parseStorageUrl } from '../../src/io/storage.js';
import { backends, randomArray } from '../support/helpers.js';

const { wasm } = await backends();
const dir = await mkdtemp(join(tmpdir(), 'simdnet-storage-'));
let model: Sequential;
let bytes: Uint8Array;
let server: Server;
let origin: string;

beforeAll(async () => {
  model = sequential([dense({ units: 5, activation: 'relu' }), dense({ units: 2 })], { inputSize: 3, backend: wasm, seed: 8 });
  bytes = model.toBytes();
  server = createServer((req, res) => {
    if (req.url === '/model.simdnet') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
    else res.writeHead(404, 'Not Found').end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  origin = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  model.dispose();
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
  await rm(dir, { recursive: true, force: true });
});

async function expectSamePredictions(loaded: Sequential): Promise<void> {
  try {
    const x = randomArray(30, 5);
    expect(loaded.predict(x)).toEqual(model.predict(x));
  } finally {
    loaded.dispose();
  }
}

describe('loading from URLs and Responses in Node', () => {
  test('http:// through fetch, and a Response', async () => {
    await expectSamePredictions(await loadModel(`${origin}/model.simdnet`, { backend: wasm }));
    await expectSamePredictions(await loadModel(await fetch(`${origin}/model.simdnet`), { backend: wasm }));
    await expectSamePredictions(await loadModel(new Response(bytes.slice().buffer as ArrayBuffer), { backend: wasm }));
  });

  test('an HTTP error status, an unreachable server and a used body are clear errors', async () => {
    await expect(loadModel(`${origin}/missing.simdnet`, { backend: wasm })).rejects.toThrow(`simdnet loadModel: fetching '${origin}/missing.simdnet' failed: HTTP 404 Not Found`);
    await expect(loadModel('http://127.0.0.1:1/model.simdnet', { backend: wasm })).rejects.toThrow(/fetching 'http:\/\/127.0.0.1:1\/model.simdnet' failed: /);
    const used = new Response(bytes.slice().buffer as ArrayBuffer);
    await used.arrayBuffer();
    await expect(loadModel(used, { backend: wasm })).rejects.toThrow(/the body of the Response was already read/);
  });

  test('file:// saves (atomically) and loads like its path', async () => {
    const url = pathToFileURL(join(dir, 'a model.simdnet')).href;
    expect(url).toContain('a%20model');
    await model.save(url);
    expect(new Uint8Array(await readFile(join(dir, 'a model.simdnet')))).toEqual(bytes);
    await expectSamePredictions(await loadModel(url, { backend: wasm }));
  });
});

describe('what Node cannot do, and unknown schemes', () => {
  test('indexeddb://, localstorage:// and downloads:// say what they need', async () => {
    await expect(model.save('indexeddb://m')).rejects.toThrow(/simdnet save: indexeddb:\/\/ needs IndexedDB, which this runtime does not have/);
    await expect(loadModel('localstorage://m', { backend: wasm })).rejects.toThrow(/simdnet loadModel: localstorage:\/\/ needs localStorage/);
    await expect(model.save('downloads://m')).rejects.toThrow(/downloads:\/\/ needs a page \(document\)/);
    await expect(loadModel('downloads://m', { backend: wasm })).rejects.toThrow(/downloads:\/\/ is for saving/);
    await expect(model.save(`${origin}/up`)).rejects.toThrow(/saving to http:\/\/ is not supported: pass a function that uploads the bytes/);
  });

  test('an unknown scheme or a missing name is refused rather than taken for a file name', async () => {
    await expect(model.save('gs://bucket/m')).rejects.toThrow(/simdnet save: unknown URL scheme 'gs:\/\/'; known: indexeddb:\/\/, localstorage:\/\//);
    await expect(loadModel('s3://b/m', { backend: wasm })).rejects.toThrow(/simdnet loadModel: unknown URL scheme 's3:\/\/'/);
    await expect(model.save('indexeddb://')).rejects.toThrow(/'indexeddb:\/\/' needs a name after it/);
    expect(parseStorageUrl('models/m.simdnet', 'save')).toBeNull();
    expect(parseStorageUrl('C:\\models\\m.simdnet', 'save')).toBeNull();
    expect(parseStorageUrl('IndexedDB://Name', 'save')).toEqual({ scheme: 'indexeddb', name: 'Name', url: 'IndexedDB://Name' });
  });
});

describe('base64 (what localstorage:// holds)', () => {
  test('round trips every byte value and sizes around the chunk, and matches Node', () => {
    for (const n of [0, 1, 2, 3, 255, 0x8000 - 1, 0x8000, 0x8000 + 1, 100_003]) {
      const b = new Uint8Array(n).map((_, i) => (i * 7 + (i >> 8)) & 255);
      const text = toBase64(b);
      expect(text).toBe(Buffer.from(b).toString('base64'));
      expect(fromBase64(text, 'x')).toEqual(b);
    }
    expect(() => fromBase64('not base64!', "'localstorage://m'")).toThrow(/'localstorage:\/\/m' is not base64 text/);
  });
});
