// `npm run test:unit` calls this instead of `npm run build:wasm`: it runs build:wasm only when an input
// of the wasm build changed since the last build it stamped, so a TypeScript-only edit does not pay
// for two asc compiles. `npm test` (what CI runs) always rebuilds; this is only the fast local loop.
//
// The stamp, build/wasm/.stamp, is a SHA-256 over every input of the wasm build:
// - the AssemblyScript sources (assembly/**, without the as-pect specs in __tests__, which are not
//   compiled into the module) and asconfig.json;
// - the asc version (a new compiler can emit other code from the same sources);
// - the build:wasm script itself, and every file it names (scripts/*.mjs run as generator steps);
// - GENERATOR_INPUTS: files outside assembly/ that a generator step turns into assembly/ sources.
// It is computed after a successful build, so a generated file in assembly/ is hashed as written.
// The outputs must exist too: a deleted build/wasm/ rebuilds whatever the stamp says.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'build/wasm/.stamp';
/** Every asconfig.json target's wasm, and the embedded bytes of each release target (scripts/embed-wasm.mjs). */
const OUTPUTS = Object.entries(JSON.parse(readFileSync('asconfig.json', 'utf8')).targets).flatMap(([name, target]) => [
  target.outFile,
  ...(name === 'debug' ? [] : [name === 'release' ? 'bindings/wasm-bytes.generated.ts' : `bindings/wasm-bytes-${name}.generated.ts`]),
]);
/** The activation table the assembly ids are generated from (scripts/gen-activations.mjs). */
const GENERATOR_INPUTS = ['src/backend/activations.ts'];

/** Every file under dir, sorted, so the hash does not depend on the order readdir returns. */
function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== '__tests__') out.push(...filesUnder(path));
    } else {
      out.push(path);
    }
  }
  return out;
}

function inputsHash() {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const script = pkg.scripts['build:wasm'];
  const asc = JSON.parse(readFileSync('node_modules/assemblyscript/package.json', 'utf8')).version;
  const named = script.split(/\s+/).filter((token) => /\.(mjs|cjs|js|ts|json)$/.test(token) && existsSync(token));
  const files = [...new Set([...filesUnder('assembly'), 'asconfig.json', ...named, ...GENERATOR_INPUTS.filter(existsSync)])];
  const hash = createHash('sha256');
  hash.update(`asc ${asc}\0build:wasm ${script}\0`);
  for (const file of files) {
    // The name and the length first: moving bytes from one file to the next changes the hash.
    const bytes = readFileSync(file);
    hash.update(`${file}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

const before = inputsHash();
const stamped = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : null;
if (stamped === before && OUTPUTS.every(existsSync)) {
  console.log('build-wasm-if-changed: assembly/ unchanged since the last build, wasm build skipped');
} else {
  const run = spawnSync('npm', ['run', 'build:wasm'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  // Written atomically: an interrupted write must not leave a stamp that matches nothing.
  writeFileSync(`${STAMP}.tmp`, `${inputsHash()}\n`);
  renameSync(`${STAMP}.tmp`, STAMP);
}
