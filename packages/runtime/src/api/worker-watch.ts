import { NoWorkersError, type Clock } from '@tessera/core'
import type { SwarmParts } from './swarm-parts.ts'

/** How long a call that asked to fail fast waits for a peer with workers, by default. */
export const NO_WORKERS_DEFAULT_MS = 10_000

/** How often a running batch looks at how many workers the room has. */
const WATCH_INTERVAL_MS = 500

export interface NoWorkersOptions {
  /**
   * What a call does while no peer in the room has workers to run it:
   * `wait` (the default) until one joins, or `fail`: reject with
   * `NoWorkersError` once there have been none for `noWorkersMs`. Calls the
   * cache answers never wait.
   */
  readonly noWorkers?: 'wait' | 'fail'
  /** With `noWorkers: 'fail'`: how long the room may have no workers before the call fails. Default 10 s. */
  readonly noWorkersMs?: number
}

/**
 * Workers in the room that could run this connection's calls: every live
 * peer's (as presence announces them), plus this connection's own donor
 * unless the calls are for other peers only (`.remote()`). An own-jobs donor
 * announces none, yet runs this connection's jobs.
 */
export function workersFor(parts: SwarmParts, placement: 'anywhere' | 'elsewhere'): number {
  const self = parts.peer.id
  let workers = 0
  for (const record of parts.peer.presence.list()) if (record.peer !== self) workers += record.workers
  return placement === 'anywhere' ? workers + (parts.ownWorkers ?? 0) : workers
}

export interface WorkerWatchOptions extends NoWorkersOptions {
  readonly parts: SwarmParts
  readonly clock: Clock
  readonly placement: 'anywhere' | 'elsewhere'
  /** The count changed (and once at the start). */
  readonly onCount?: (workers: number) => void
  /** `noWorkers: 'fail'` and nobody to run the calls for `noWorkersMs`. */
  readonly onNone: (error: NoWorkersError) => void
}

/** Follows the room's worker count while a batch runs; call the returned function when the batch ends. */
export function watchWorkers(options: WorkerWatchOptions): { readonly count: () => number; readonly stop: () => void } {
  const { parts, clock, placement } = options
  const failAfter = options.noWorkers === 'fail' ? (options.noWorkersMs ?? NO_WORKERS_DEFAULT_MS) : undefined
  let count = workersFor(parts, placement)
  let noneSince = count === 0 ? clock.now() : undefined
  let timer: unknown
  let stopped = false
  const check = (): void => {
    if (stopped) return
    const now = workersFor(parts, placement)
    if (now !== count) {
      count = now
      options.onCount?.(count)
    }
    if (count > 0) noneSince = undefined
    else noneSince ??= clock.now()
    if (failAfter !== undefined && noneSince !== undefined && clock.now() - noneSince >= failAfter) {
      stopped = true
      const where = placement === 'elsewhere' ? 'no other peer in the room' : 'no peer in the room'
      options.onNone(
        new NoWorkersError(
          `${where} has workers to run this call (for ${failAfter} ms): open the donate page of the room's signaling server, ` +
            'or start a host with workers (`tessera run --workers N`)',
        ),
      )
      return
    }
    timer = clock.setTimeout(check, Math.min(WATCH_INTERVAL_MS, failAfter ?? WATCH_INTERVAL_MS))
  }
  if (options.onCount !== undefined || failAfter !== undefined) timer = clock.setTimeout(check, Math.min(WATCH_INTERVAL_MS, failAfter ?? WATCH_INTERVAL_MS))
  return {
    count: () => count,
    stop: () => {
      stopped = true
      clock.clearTimeout(timer)
    },
  }
}
