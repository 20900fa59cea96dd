import { defineConfig } from 'vitest/config'

// One root config for every package: `unit` runs in Node without a network,
// `browser` drives real headless Chromium against pages that Vite serves.
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: a single worker on the
    // 2-core machines this project runs on, which would halve the simulator's speed.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
