#!/usr/bin/env node
// The simdnet command line: src/cli/main.ts, bundled into dist/cli.js by `npm run build`.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
