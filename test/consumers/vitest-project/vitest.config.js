import { defineConfig } from 'vitest/config';

// The recipe: one harness for the whole run, its endpoints and users given to every test file.
export default defineConfig({
  test: {
    globalSetup: ['s3-harness/vitest'],
    include: ['test/**/*.test.js'],
  },
});
