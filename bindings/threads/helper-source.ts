/**
 * The source of a helper thread, as text: started from a Blob URL in browsers and with
 * `new Worker(source, { eval: true })` in Node (pool.ts), so no bundler has to find, copy or rewrite
 * a worker file (Vite, rollup, webpack 5 and esbuild need no configuration).
 *
 * A helper gets one message: the compiled module, the shared memory, its control slot (control.ts: the
 * offsets below are those constants), its scratch block and the names of the functions it may run.
 * It instantiates the module on that memory, gives the instance the scratch block (so its kernels never
 * allocate: the allocator belongs to the main thread), says 'ready', and from then on only waits on
 * its slot: spin a little (a training step's kernels come microseconds apart), then Atomics.wait.
 * Around the wait it writes AWAKE (words[6]): 0 while parked, 1 otherwise. A wake-up that leaves
 * GEN as it was (the pool's nudge, ThreadPool.nudge) is no job: the helper goes back to spinning.
 * A job is run only once taken (CLAIM, words[7], from 0 to 1); one the main thread took first is
 * skipped (DONE is still written), and the job is read only after it is taken.
 *
 * Instantiating writes the module's data segments into the shared memory again: they are the
 * constant tables and strings (never written after) and the tail scratch area, which no kernel uses
 * while a helper starts (the pool starts its helpers before the first threaded call).
 */
export const HELPER_SOURCE = String.raw`'use strict';
const start = (data, post) => {
  const memory = data.memory;
  const text = (ptr) => {
    if (!ptr) return '';
    const p = ptr >>> 0;
    const bytes = new Uint32Array(memory.buffer, p - 4, 1)[0];
    return String.fromCharCode.apply(null, new Uint16Array(memory.buffer, p, bytes >>> 1));
  };
  const imports = { env: { memory, abort(m, f, l, c) { throw new Error('simdnet wasm abort: ' + text(m) + ' at ' + text(f) + ':' + l + ':' + c); } } };
  WebAssembly.instantiate(data.module, imports).then((instance) => {
    const ex = instance.exports;
    ex.setThreadScratch(data.scratch);
    const fns = data.names.map((n) => ex[n]);
    const words = new Int32Array(memory.buffer, data.slot, 64);
    const args = new Float64Array(memory.buffer, data.slot + 64, 16);
    const result = new Float64Array(memory.buffer, data.slot + 192, 1);
    const message = new Uint16Array(memory.buffer, data.slot + 256, 384);
    const spin = data.spin;
    post({ ready: true });
    // Not Atomics.load: the main thread may post the first job as soon as it reads 'ready'. The slot
    // starts zeroed, so generation 0 is 'no job yet'.
    let gen = 0;
    Atomics.store(words, 6, 1);
    for (;;) {
      for (let i = 0; i < spin && Atomics.load(words, 0) === gen; i++);
      if (Atomics.load(words, 0) === gen) {
        // Parked until GEN changes or a nudge: either way, spin again (a new job ends the spin at once).
        Atomics.store(words, 6, 0);
        Atomics.wait(words, 0, gen);
        Atomics.store(words, 6, 1);
        continue;
      }
      gen = Atomics.load(words, 0);
      if (words[2] < 0) break;
      if (Atomics.compareExchange(words, 7, 0, 1) !== 0) {
        // The main thread runs this part itself (it found it not started).
        Atomics.store(words, 1, gen);
        if (Atomics.load(words, 8) !== 0) Atomics.notify(words, 1);
        continue;
      }
      const kernel = words[2];
      if (kernel < 0) break;
      try {
        // Every argument slot: a wasm export ignores arguments past its own, and a direct call costs
        // ~15 ns where apply() of an array took ~200 (measured, Node 20).
        const r = fns[kernel](args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11], args[12], args[13], args[14], args[15]);
        result[0] = typeof r === 'number' ? r : 0;
        words[4] = 0;
      } catch (e) {
        const m = String(e && e.message || e).slice(0, 384);
        for (let i = 0; i < m.length; i++) message[i] = m.charCodeAt(i);
        words[5] = m.length;
        words[4] = 1;
      }
      Atomics.store(words, 1, gen);
      // Only a main thread that may be blocked needs the notify (MAIN_WAITING, control.ts).
      if (Atomics.load(words, 8) !== 0) Atomics.notify(words, 1);
    }
    Atomics.store(words, 6, 0);
    post({ stopped: true });
  }).catch((e) => post({ failed: String(e && e.message || e) }));
};
if (typeof process === 'object' && process && process.versions && process.versions.node) {
  // import(), not require: Node runs an eval worker's source as a module when the process was started
  // with --input-type=module (measured), and as a script otherwise; import() works in both.
  import('node:worker_threads').then(({ parentPort }) => {
    parentPort.once('message', (data) => start(data, (m) => parentPort.postMessage(m)));
  });
} else {
  self.onmessage = (e) => {
    self.onmessage = null;
    start(e.data, (m) => self.postMessage(m));
  };
}
`;
