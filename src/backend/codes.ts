/** Numeric codes shared by both kernel implementations (the wasm ABI passes ids, not strings). */
import type { MatmulLayout } from './contract.js';

/** NN = 0, TN = 1, NT = 2 (assembly/matmul.ts: LAYOUT_NN, LAYOUT_TN, LAYOUT_NT). */
export const LAYOUT_ID: Readonly<Record<MatmulLayout, number>> = { NN: 0, TN: 1, NT: 2 };
