/**
 * BigMatrix multiply: `tessera run examples/matmul.ts [-- --n 4096 --block 512 --samples 16 --seed 1]`.
 *
 * Multiplies two n×n random matrices that nobody uploads: their blocks are
 * made lazily on the donors (a seeded hash of each entry's row and column),
 * the product's blocks are computed there too, one task per output block, and
 * blocks travel between peers by hash. It prints the multiply's GFLOP/s and
 * where the donors' time went (computing, moving blocks, waiting), from the
 * donors' own reports. Then it checks a random sample of the product's
 * entries here, each from A's row and B's column rebuilt locally from the same
 * seed, never from the swarm's blocks.
 */
import { parseArgs } from 'node:util'
import type { JobModule } from '@tessera/host'
import { BigMatrix, matmul, randomBlock, timeOnDonors } from '@tessera/bigmatrix'

export interface MatmulResult {
  /** The product's reference: `BigMatrix.open(swarm, ref)` from any peer. */
  readonly ref: string
  readonly n: number
  /** Making A's and B's blocks on the donors, before the multiply's clock starts. */
  readonly inputSeconds: number
  readonly seconds: number
  /** 2n³ over the multiply's wall time; null when every block came from the cache. */
  readonly gflops: number | null
  /** Of the donors' time during the multiply (their workers × wall time), the shares spent computing, moving blocks (a worker waiting for its task's blocks) and waiting. */
  readonly shares: { readonly compute: number; readonly moving: number; readonly waiting: number }
  /** Workers in the swarm when the multiply started, and the tasks each donor ran. */
  readonly workers: number
  readonly tasksByDonor: Readonly<Record<string, number>>
  readonly cachedBlocks: number
  readonly checked: number
  /** Largest |C[r,c] − Σ A[r,p]·B[p,c]| over the sampled entries. */
  readonly maxError: number
}

const job: JobModule<MatmulResult> = async (swarm, { args, signal, log }) => {
  const { values } = parseArgs({
    args: [...args],
    options: { n: { type: 'string' }, block: { type: 'string' }, samples: { type: 'string' }, seed: { type: 'string' } },
  })
  const n = Number(values.n ?? 4096)
  const block = Number(values.block ?? 512)
  const samples = Number(values.samples ?? 16)
  const seed = Number(values.seed ?? 1)
  const shape = [n, n] as const
  const blockShape = [block, block] as const
  const a = await BigMatrix.random(swarm, { shape, blockShape, params: { seed } })
  const b = await BigMatrix.random(swarm, { shape, blockShape, params: { seed: seed + 1 } })

  const madeFrom = performance.now()
  await Promise.all([a.storedRefs(), b.storedRefs()])
  const inputSeconds = (performance.now() - madeFrom) / 1000
  log(`A and B made on the donors in ${inputSeconds.toFixed(1)} s`)

  let cachedBlocks = 0
  const { result: c, breakdown } = await timeOnDonors(swarm, () => matmul(a, b, { signal, onProgress: (p) => (cachedBlocks = p.cached) }))
  const seconds = breakdown.wallMs / 1000
  const allCached = cachedBlocks === c.grid[0] * c.grid[1]
  const gflops = allCached ? null : (2 * n ** 3) / seconds / 1e9
  const percent = (share: number): string => `${Math.round(100 * share)}%`
  const workers = Math.round(breakdown.capacityMs / breakdown.wallMs)
  log(`C = A·B in ${seconds.toFixed(1)} s${gflops === null ? ' (all from the cache)' : `, ${gflops.toFixed(2)} GFLOP/s`}: ${c.ref}`)
  log(
    `donors' time (${workers} workers × ${seconds.toFixed(1)} s): ${percent(breakdown.shares.compute)} computing, ${percent(breakdown.shares.moving)} moving blocks, ${percent(breakdown.shares.waiting)} waiting; tasks per donor ${Object.values(breakdown.runsByPeer).join(' + ') || 'none'}`,
  )

  // Entries are a function of (seed, row, column) alone, so a 1×n row or an n×1 column can be made here directly.
  const line = (params: { seed: number }, row0: number, col0: number, rows: number, cols: number): Float64Array =>
    randomBlock({ i: 0, j: 0, rows, cols, row0, col0, dtype: 'float64', params }) as Float64Array
  let maxError = 0
  for (let s = 0; s < samples; s++) {
    const r = Math.floor(Math.random() * n)
    const col = Math.floor(Math.random() * n)
    const row = line({ seed }, r, 0, 1, n)
    const column = line({ seed: seed + 1 }, 0, col, n, 1)
    let expected = 0
    for (let p = 0; p < n; p++) expected += (row[p] as number) * (column[p] as number)
    const blockOf = await c.getBlock(Math.floor(r / block), Math.floor(col / block))
    const [, width] = c.blockDims(Math.floor(r / block), Math.floor(col / block))
    const actual = blockOf[(r % block) * width + (col % block)] as number
    maxError = Math.max(maxError, Math.abs(actual - expected))
  }
  if (maxError > 1e-9 * n) throw new Error(`sampled entries disagree with the local check by up to ${maxError}`)
  return { ref: c.ref, n, inputSeconds, seconds, gflops, shares: breakdown.shares, workers, tasksByDonor: breakdown.runsByPeer, cachedBlocks, checked: samples, maxError }
}

export default job
