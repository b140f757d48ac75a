/**
 * Vite config of the playground (`npm run playground` serves it, `npm run build:playground` builds it
 * into examples/playground/dist). The page imports the library's TypeScript sources from ../../src
 * directly, so it always runs the code of this checkout (the wasm bytes come from
 * bindings/wasm-bytes.generated.ts, which `npm run build:wasm` makes).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the built page works from any folder it is copied to.
  base: './',
  // The worker imports modules (the library): an ES-module worker keeps them as imports.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The worker carries the wasm bytes (base64, ~70 kB): no warning for that.
    chunkSizeWarningLimit: 1000,
  },
  // The dev server may read the library sources above the page's root.
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
});
