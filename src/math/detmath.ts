/**
 * Deterministic float64 math: exp, log, sin, cos and pow that return the same bits in every
 * JavaScript engine. This module is the entry; each function lives in a module of its own
 * (exp.ts, log.ts, sin-cos.ts with rem-pio2.ts, pow.ts), on the word tools of float-words.ts.
 *
 * Why: `Math.exp`, `Math.log`, `Math.sin`, `Math.cos`, `Math.pow` (and `**`) are not required to be
 * correctly rounded, and engines change them: Node 20's V8 uses fdlibm, Chromium 156's V8 uses LLVM
 * libc for some of them, and the last bit differs on 3–10% of random arguments. The library promises
 * that a seed gives the same weights everywhere, so everything that turns a seed into training
 * values (Rng.normal, the toy data sets, the learning-rate schedules, tuning samples) uses these
 * instead. They use only what IEEE 754 defines exactly and JavaScript evaluates without contraction
 * (+, −, ×, ÷, Math.sqrt, comparisons) plus reading and writing the two 32-bit halves of a double,
 * so any engine computes the same bits.
 *
 * Provenance: straight ports of fdlibm 5.3 (Sun Microsystems, 1993; "Permission to use, copy, modify,
 * and distribute this software is freely granted, provided that this notice is preserved") in the
 * form V8 carried in src/base/ieee754.cc before it moved some functions to LLVM libc: e_exp.c,
 * e_log.c, e_pow.c, k_sin.c, k_cos.c, s_sin.c, s_cos.c, e_rem_pio2.c, k_rem_pio2.c. Keeping V8's
 * variant (its exp(1) special case, its k_cos with the qx split, rem_pio2 with 64-bit precision
 * for huge arguments) makes these return exactly what Node 20's Math.exp/log/sin/cos/pow return,
 * so moving to them changed no result on Node 20. scalbn is musl's (exact: one rounding at most).
 *
 * Error bounds (fdlibm's analysis): exp, log < 1 ulp; sin, cos "nearly rounded" (< 1 ulp) for every
 * finite argument, huge ones included (the reduction uses 1584 bits of 2/π); pow "nearly rounded",
 * and exact when the true result is a representable integer (so pow(10, 3) is 1000). Measured:
 * - tests/math/detmath.test.ts: at most 1 ulp from Node 20's Math.* over a million arguments each, over
 *   every range (in fact equal bits: the same algorithms);
 * - tests/browser/detmath.test.ts: the same bits in Chromium 156, and at most 1 ulp from its Math.*
 *   (another implementation: recent V8 takes sin, cos, log from LLVM libc, which rounds correctly).
 *   Over a million arguments each, run once in Chromium 156: at most 1 ulp from its Math.*
 *   everywhere, differing on 3.2% of arguments for sin and cos, 0.1–7% for log (7% on (0, 1)),
 *   9.5% for exp and 9.9% for pow.
 *
 * JavaScript semantics are kept where they differ from C99's: pow(±1, ±Infinity) and pow(1, NaN) are
 * NaN, as Math.pow gives.
 */

export { exp } from './exp.js';
export { log } from './log.js';
export { pow } from './pow.js';
export { cos, sin } from './sin-cos.js';
