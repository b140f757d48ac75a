#!/usr/bin/env node
// The simdnet command line (compiled from src/cli/main.ts by `npm run build`).
import { main } from '../build/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
