import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the tests that drive a real Chromium (tests/browser/) and the bundler
 * consumer test (tests/consumer/: npm pack, install into a temp app, vite build, load in Chromium).
 * They take tens of seconds and need dist/ and /usr/bin/chromium, so they live apart from `npm test`,
 * which vitest.config.ts keeps fast by excluding these folders.
 */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts', 'tests/consumer/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One file at a time: each launches a browser (and the consumer test runs npm and vite) on a
    // machine with two cores shared with everything else; in parallel they only time each other out.
    fileParallelism: false,
    pool: 'forks',
  },
});
