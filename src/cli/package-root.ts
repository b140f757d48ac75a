/**
 * The simdnet package this CLI runs from: its folder and its version. The CLI runs from dist/cli.js
 * (installed, or `npm run train`) and, in the tests, from src/cli/: so the folder is found by walking
 * up to the package.json named simdnet rather than by a fixed relative path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  /** The folder that holds simdnet's package.json. */
  readonly root: string;
  readonly version: string;
}

export function packageInfo(from: string | URL = import.meta.url): PackageInfo {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'simdnet' && typeof pkg.version === 'string') return { root: dir, version: pkg.version };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`simdnet: no package.json named simdnet above ${fileURLToPath(from)}`);
    dir = parent;
  }
}
