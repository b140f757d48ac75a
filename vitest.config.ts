import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Real-browser and bundler tests run apart, in `npm run test:browser` (vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, 'tests/browser/**', 'tests/consumer/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but keep each file's tests in order.
    pool: 'forks',
  },
});
