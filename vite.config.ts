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
          include: ['packages/*/test/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          exclude: ['packages/mesh/test/**', 'packages/*/test/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          // Files share each worker's loaded modules, as in `mesh`: each file's own
          // import of the packages took 84 s of the stage's test time in CI; the stage
          // took 199 s instead of 275 under the same load (2026-12-02). No file mocks
          // modules, stubs globals or fakes timers; a test must not assume that some
          // package was never imported in its process.
          isolate: false,
        },
      },
      {
        // Real sockets and real WebRTC with heartbeats: a stage of their own, so the
        // CPU-bound simulator cannot starve their timers. Two files at a time: they
        // mostly wait on sockets and timers (one at a time, the stage used under half
        // of the two cores, and it took 169 s in CI; two at a time 97 s, 2026-12-02).
        test: {
          name: 'mesh',
          include: ['packages/mesh/test/**/*.test.ts', 'signaling/test/**/*.test.ts', 'packages/*/test/**/*.e2e.test.ts'],
          exclude: ['packages/host/test/**'],
          environment: 'node',
          testTimeout: 60_000,
          // Each file's import (WebRTC, Yjs, the runtime) took 63 of the stage's 321 s
          // on 2026-12-01, 15 s when the files share each worker's loaded modules.
          // No file mocks modules or stubs globals.
          isolate: false,
        },
      },
      {
        // The host's end-to-end tests drive whole processes (the CLI, npm start,
        // servers) and spend most of their time waiting on them, so two files
        // run at once; none measures event-loop timing the way the mesh tests do.
        test: {
          name: 'host-e2e',
          include: ['packages/host/test/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          // Files share each worker's loaded modules, as in `mesh`: imports took 39 s
          // of the stage's test time on 2026-12-01, 8 s shared; no file mocks or stubs.
          isolate: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          // Builds the donate page once for the files that serve it.
          globalSetup: ['tests/browser/support/global-setup.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two files at a time: the tabs mostly wait on each other and on timers (the
          // serial stage used about 40% of the two cores, measured 2026-12-02).
          fileParallelism: true,
        },
      },
    ],
  },
})
