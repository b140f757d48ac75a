// `npm run check:cycles`: fails when src/ or bindings/ has an import cycle (type-only imports count),
// or when a module imports from a layer above its own (the LAYERS table below). Uses madge's graph.
import madge from 'madge';

// Who may import whom, by area (a folder, or a single file). An area always may import itself.
// Areas not listed (the entry files src/index.ts, src/node.ts, ...) may import anything.
const LAYERS = {
  'bindings': [],
  'src/atomic-write.ts': [],
  'src/math': [],
  'src/backend': ['bindings', 'src/math'],
  'src/data': ['bindings', 'src/math', 'src/backend', 'src/atomic-write.ts'],
  'src/plot': ['src/math', 'src/atomic-write.ts'],
  // The model and its training are peers (a layer's initializer, the loop's network), kept acyclic file by file.
  'src/model': ['bindings', 'src/math', 'src/backend', 'src/train', 'src/atomic-write.ts', 'src/io/storage.ts'],
  // Bytes to and from storage URLs, below the model (save() and loadModel() dispatch to it).
  'src/io/storage.ts': ['src/atomic-write.ts', 'src/io/storage-base64.ts'],
  'src/io/storage-base64.ts': [],
  'src/train': ['bindings', 'src/math', 'src/backend', 'src/model', 'src/atomic-write.ts'],
  'src/tune': ['src/math', 'src/backend', 'src/model', 'src/train', 'src/data'],
  'src/worker': ['bindings', 'src/math', 'src/backend', 'src/model', 'src/train'],
  // Model interchange formats (ONNX, safetensors, PyTorch source): read a model, never the loop or the CLI.
  'src/io': ['src/math', 'src/backend', 'src/model', 'src/train', 'src/data', 'src/atomic-write.ts'],
  'src/cli': ['bindings', 'src/math', 'src/backend', 'src/model', 'src/train', 'src/data', 'src/plot', 'src/tune', 'src/io', 'src/atomic-write.ts'],
};

const areaOf = (file) => {
  // A single file listed in LAYERS is an area of its own, even inside a folder.
  if (Object.hasOwn(LAYERS, file)) return file;
  if (file.startsWith('bindings/')) return 'bindings';
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
};

const res = await madge(['src', 'bindings'], { fileExtensions: ['ts'], baseDir: '.', detectiveOptions: { ts: { skipTypeImports: false } } });
const problems = [];
for (const cycle of res.circular()) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
for (const [file, deps] of Object.entries(res.obj())) {
  const from = areaOf(file);
  const allowed = LAYERS[from];
  if (allowed === undefined) continue;
  for (const dep of deps) {
    const to = areaOf(dep);
    if (to !== from && !allowed.includes(to)) problems.push(`${file} imports ${dep}: ${from} may import only ${allowed.join(', ') || 'itself'}`);
  }
}
const skipped = Object.keys(res.skipped ?? {});
if (problems.length > 0) {
  console.error(`check:cycles: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check:cycles: ${Object.keys(res.obj()).length} modules, no import cycle, no upward import${skipped.length ? ` (madge skipped ${skipped.length})` : ''}`);
