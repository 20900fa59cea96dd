export interface BatchSizeInput {
  /** Recent run durations on this peer, newest last. */
  readonly recentDurationsMs: readonly number[]
  /** How long one batch should keep this peer busy: long enough to hide a claim round trip. */
  readonly targetBatchMs: number
  readonly workers: number
  /** Tasks still unclaimed, and peers sharing them: no peer takes more than its share. */
  readonly queued: number
  readonly peers: number
  readonly min?: number
  readonly max?: number
}

/** Tiny tasks get large batches, long tasks small ones, and nobody hoards the tail of a job. */
export function nextBatchSize(input: BatchSizeInput): number {
  const min = input.min ?? 1
  const max = input.max ?? 256
  const recent = input.recentDurationsMs.slice(-32)
  const mean = recent.length === 0 ? undefined : recent.reduce((a, b) => a + b, 0) / recent.length
  const wanted = mean === undefined ? min * input.workers : Math.round((input.targetBatchMs / Math.max(mean, 0.01)) * input.workers)
  const fairShare = Math.ceil(input.queued / Math.max(1, input.peers))
  return Math.max(min, Math.min(max, wanted, Math.max(fairShare, min)))
}

/**
 * How much work may still be queued on a peer when it claims its next batch:
 * enough to keep its workers busy through the settle window, so that the
 * window passes while they work instead of while they idle.
 */
export function claimLowWater(recentDurationsMs: readonly number[], { workers, settleMs, tickMs }: { readonly workers: number; readonly settleMs: number; readonly tickMs: number }): number {
  const recent = recentDurationsMs.slice(-16)
  if (recent.length === 0) return 0
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length
  return workers * Math.ceil((settleMs + tickMs) / Math.max(mean, 1))
}
