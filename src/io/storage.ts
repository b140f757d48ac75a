/**
 * Where a saved model's bytes go and come from, by the URL schemes TensorFlow.js users know:
 *
 *   'indexeddb://name'     IndexedDB of the page's origin (database 'simdnet', store 'models', key name)
 *   'localstorage://name'  localStorage key 'simdnet/models/name', holding the base64 of the bytes
 *                          (browsers allow about 5 million characters per origin: a model of more
 *                          than ~3.7 MB does not fit, and save() says how big it was)
 *   'downloads://name'     save only: the browser downloads 'name.simdnet' (an <a download> click)
 *   'http(s)://…'          load only: fetch (browsers and Node ≥ 18)
 *   'file://…'             a local file (Node), the same as its path
 *
 * Anything without a scheme is a file path (Node), as before. This module moves bytes only: it knows
 * nothing about models, so src/model/persist.ts and sink.ts call it from their dispatch.
 */
import { writeFileAtomic } from '../atomic-write.js';
import { fromBase64, toBase64 } from './storage-base64.js';

/** The schemes save() and loadModel() understand, besides plain file paths. */
export const STORAGE_SCHEMES = ['indexeddb', 'localstorage', 'downloads', 'http', 'https', 'file'] as const;

/** A URL scheme save() or loadModel() understands ('indexeddb', 'localstorage', 'downloads', 'http', 'https', 'file'). */
export type StorageScheme = (typeof STORAGE_SCHEMES)[number];

/** A parsed storage URL: its scheme and what follows '://' (the model's name, or the URL's rest). */
export interface StorageUrl {
  readonly scheme: StorageScheme;
  readonly name: string;
  readonly url: string;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s;
const IDB_NAME = 'simdnet';
const IDB_STORE = 'models';
const LOCAL_PREFIX = 'simdnet/models/';

/**
 * Parses `target` as a storage URL; null when it has no scheme (a file path). An unknown scheme
 * ('gs://…') is an error naming the known ones, rather than a file of that odd name.
 */
export function parseStorageUrl(target: string, where: string): StorageUrl | null {
  const m = SCHEME.exec(target);
  if (m === null) return null;
  const scheme = m[1].toLowerCase();
  if (!(STORAGE_SCHEMES as readonly string[]).includes(scheme)) {
    throw new RangeError(`simdnet ${where}: unknown URL scheme '${scheme}://'; known: ${STORAGE_SCHEMES.map((s) => `${s}://`).join(', ')} (or a file path)`);
  }
  const name = m[2];
  if (name === '') throw new RangeError(`simdnet ${where}: '${scheme}://' needs a name after it, e.g. '${scheme}://my-model'`);
  return { scheme: scheme as StorageScheme, name, url: target };
}

/** True when `target` is a URL this module handles (false for a plain file path). */
export function isStorageUrl(target: string): boolean {
  return SCHEME.test(target);
}

/** Stores `bytes` at a storage URL (see the file comment); resolves once they are stored. */
export async function writeStorageUrl(target: string, bytes: Uint8Array): Promise<void> {
  const where = 'save';
  const u = parseStorageUrl(target, where) ?? fail(where, `'${target}' is not a storage URL`);
  switch (u.scheme) {
    case 'indexeddb':
      return idbPut(u.name, bytes);
    case 'localstorage':
      return localPut(u.name, bytes);
    case 'downloads':
      return download(u.name, bytes);
    case 'file':
      return writeFileAtomic(await filePath(u.url), bytes);
    case 'http':
    case 'https':
      fail(where, `saving to ${u.scheme}:// is not supported: pass a function that uploads the bytes, e.g. model.save((bytes) => fetch(url, { method: 'PUT', body: bytes }))`);
  }
}

/** The bytes stored at a storage URL (see the file comment). */
export async function readStorageUrl(source: string): Promise<Uint8Array> {
  const where = 'loadModel';
  const u = parseStorageUrl(source, where) ?? fail(where, `'${source}' is not a storage URL`);
  switch (u.scheme) {
    case 'indexeddb':
      return idbGet(u.name);
    case 'localstorage':
      return localGet(u.name);
    case 'http':
    case 'https':
      return readResponse(await fetchOrFail(u.url));
    case 'file': {
      const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
      return new Uint8Array(await fs.readFile(await filePath(u.url)));
    }
    case 'downloads':
      fail(where, "downloads:// is for saving; load the downloaded file with loadModel(path), or in a page with loadModel(await file.arrayBuffer())");
  }
}

/** True for a fetch Response (where the runtime has one). */
export function isResponse(value: unknown): value is Response {
  return typeof Response === 'function' && value instanceof Response;
}

/** The body of a fetch Response; an HTTP error status or a used body is an error naming the URL. */
export async function readResponse(res: Response): Promise<Uint8Array> {
  const what = res.url === '' ? 'the Response' : `'${res.url}'`;
  if (!res.ok) fail('loadModel', `fetching ${what} failed: HTTP ${res.status} ${res.statusText}`.trimEnd());
  if (res.bodyUsed) fail('loadModel', `the body of ${what} was already read; pass a fresh Response (or response.clone())`);
  return new Uint8Array(await res.arrayBuffer());
}

function fail(where: string, message: string): never {
  throw new Error(`simdnet ${where}: ${message}`);
}

async function fetchOrFail(url: string): Promise<Response> {
  if (typeof fetch !== 'function') fail('loadModel', `loading '${url}' needs fetch(), which this runtime does not have`);
  try {
    return await fetch(url);
  } catch (e) {
    return fail('loadModel', `fetching '${url}' failed: ${(e as Error).message}`);
  }
}

async function filePath(url: string): Promise<string> {
  const { fileURLToPath } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:url');
  return fileURLToPath(url);
}

// IndexedDB: one database, one object store of Uint8Array values keyed by model name.

function indexedDb(where: string): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (idb === undefined) fail(where, 'indexeddb:// needs IndexedDB, which this runtime does not have (it is a browser API; in Node save to a file path)');
  return idb;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((ok, no) => {
    req.onsuccess = () => ok(req.result);
    req.onerror = () => no(req.error ?? new Error('IndexedDB request failed'));
  });
}

async function openDb(where: string): Promise<IDBDatabase> {
  const req = indexedDb(where).open(IDB_NAME, 1);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(IDB_STORE)) req.result.createObjectStore(IDB_STORE);
  };
  try {
    return await request(req);
  } catch (e) {
    return fail(where, `could not open IndexedDB database '${IDB_NAME}': ${(e as Error).message}`);
  }
}

async function idbPut(name: string, bytes: Uint8Array): Promise<void> {
  const db = await openDb('save');
  try {
    const tx = db.transaction(IDB_STORE, 'readwrite');
    const done = new Promise<void>((ok, no) => {
      tx.oncomplete = () => ok();
      tx.onabort = () => no(tx.error ?? new Error('transaction aborted'));
      tx.onerror = () => no(tx.error ?? new Error('transaction failed'));
    });
    // A copy that owns its buffer: a view of wasm memory or of a larger buffer would clone all of it.
    tx.objectStore(IDB_STORE).put(bytes.slice(), name);
    try {
      await done;
    } catch (e) {
      const err = e as DOMException;
      const quota = err.name === 'QuotaExceededError' ? ` (the model is ${bytes.length} bytes, more than this origin's storage quota allows)` : '';
      fail('save', `storing 'indexeddb://${name}' failed: ${err.message}${quota}`);
    }
  } finally {
    db.close();
  }
}

async function idbGet(name: string): Promise<Uint8Array> {
  const db = await openDb('loadModel');
  try {
    const store = db.transaction(IDB_STORE, 'readonly').objectStore(IDB_STORE);
    const value: unknown = await request(store.get(name));
    if (value === undefined) {
      const keys = (await request(store.getAllKeys())).map(String);
      fail('loadModel', `no model named '${name}' in IndexedDB; stored: ${keys.length === 0 ? 'none' : keys.map((k) => `'${k}'`).join(', ')}`);
    }
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    return fail('loadModel', `'indexeddb://${name}' does not hold a model's bytes (it holds a ${typeof value}); was it written by model.save()?`);
  } finally {
    db.close();
  }
}

// localStorage: strings only, so the base64 of the bytes.

function localStore(where: string): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (ls === undefined) fail(where, 'localstorage:// needs localStorage, which this runtime does not have (it is a browser API; in Node save to a file path)');
  return ls;
}

function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; code?: number };
  // Firefox once named it NS_ERROR_DOM_QUOTA_REACHED; code 22 is the legacy DOMException code.
  return err?.name === 'QuotaExceededError' || err?.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err?.code === 22;
}

function localPut(name: string, bytes: Uint8Array): Promise<void> {
  const ls = localStore('save');
  const text = toBase64(bytes);
  try {
    ls.setItem(LOCAL_PREFIX + name, text);
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    const mb = (n: number): string => (n / 1e6).toFixed(2);
    fail('save', `'localstorage://${name}' does not fit: the model is ${bytes.length} bytes (${mb(bytes.length)} MB), ` +
      `${text.length} characters as base64, more than this origin's localStorage has left (browsers allow about 5 million characters ` +
      `in all); save to 'indexeddb://${name}' instead`);
  }
  return Promise.resolve();
}

function localGet(name: string): Promise<Uint8Array> {
  const ls = localStore('loadModel');
  const text = ls.getItem(LOCAL_PREFIX + name);
  if (text === null) {
    const names: string[] = [];
    for (let i = 0; i < ls.length; i++) {
      const key = ls.key(i);
      if (key?.startsWith(LOCAL_PREFIX)) names.push(`'${key.slice(LOCAL_PREFIX.length)}'`);
    }
    fail('loadModel', `no model named '${name}' in localStorage; stored: ${names.length === 0 ? 'none' : names.join(', ')}`);
  }
  return Promise.resolve(fromBase64(text, `'localstorage://${name}'`));
}

// downloads: a Blob URL clicked through an <a download> element.

function download(name: string, bytes: Uint8Array): Promise<void> {
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined) fail('save', 'downloads:// needs a page (document), which this runtime does not have; in a worker, post the bytes of model.toBytes() to the page');
  const file = /\.simdnet$/i.test(name) ? name : `${name}.simdnet`;
  const url = URL.createObjectURL(new Blob([bytes.slice()], { type: 'application/octet-stream' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = file;
  a.style.display = 'none';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later, not at once: the download reads the URL asynchronously (FileSaver.js waits 40 s too).
  setTimeout(() => URL.revokeObjectURL(url), 40_000);
  return Promise.resolve();
}
