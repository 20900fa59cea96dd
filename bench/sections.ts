/** Every section of `npm run bench`, in report order; each module loads only when its section runs. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchOptions, BenchSection } from './lib/section.ts'

export type SectionRunner = (options: BenchOptions) => Promise<BenchSection>

/** A section whose module is not in this checkout: skipped, not failed. */
export class SectionMissing extends Error {
  override readonly name = 'SectionMissing'
}

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))

export const SECTIONS: ReadonlyArray<{ readonly id: string; readonly load: () => Promise<SectionRunner> }> = [
  { id: 'dispatch', load: async () => (await import('./dispatch.ts')).runDispatchBench },
  { id: 'efficiency', load: async () => (await import('./efficiency.ts')).runEfficiencyBench },
  { id: 'sandbox', load: async () => (await import('./sandbox.ts')).runSandboxBench },
  { id: 'cache', load: async () => (await import('./cache.ts')).runCacheBench },
  { id: 'graph', load: async () => (await import('./graph.ts')).runGraphBench },
  { id: 'latejoin', load: async () => (await import('./late-join.ts')).runLateJoinBench },
  { id: 'blobs', load: async () => (await import('./blob-fetch.ts')).runBlobFetchBench },
  { id: 'scale', load: async () => (await import('./scale.ts')).runScaleBench },
  { id: 'cachetree', load: async () => (await import('./cache-scale.ts')).runCacheTreeBench },
  { id: 'hash', load: async () => (await import('./hash-section.ts')).runHashSection },
  { id: 'signatures', load: async () => (await import('./signatures.ts')).runSignaturesBench },
  { id: 'trust', load: async () => (await import('./trust.ts')).runTrustBench },
  { id: 'signaling', load: async () => (await import('./signaling.ts')).runSignalingBench },
  {
    id: 'bigmatrix',
    // Another module's section: optional, so a checkout without it still runs.
    load: async () => {
      const file = path.join(BENCH_DIR, 'bigmatrix.ts')
      if (!existsSync(file)) throw new SectionMissing('bench/bigmatrix.ts is not in this checkout')
      const module = (await import(pathToFileURL(file).href)) as { runBigMatrixBench?: SectionRunner }
      if (module.runBigMatrixBench === undefined) throw new Error('bench/bigmatrix.ts exports no runBigMatrixBench')
      return module.runBigMatrixBench
    },
  },
]
