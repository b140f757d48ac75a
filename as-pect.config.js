// as-pect runs the AssemblyScript-level tests in assembly/__tests__ (the exp/tanh
// approximations and SIMD tail handling, checked inside wasm without the JS bindings).
export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  flags: { "--enable": ["simd"] },
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
