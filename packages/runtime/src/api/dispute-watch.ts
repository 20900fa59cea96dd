import { deadlockedDispute, disputeError, type Clock, type JobIndex } from '@tessera/core'
import type { JobRun } from './job-run.ts'
import type { SwarmParts } from './swarm-parts.ts'

/** How long a disputed task waits for a new subject with workers, by default, before its calls fail. */
export const DISPUTE_WAIT_MS = 10_000

/** How often a running batch looks for disputes no live subject can settle. */
const CHECK_MS = 1_000

export interface DisputeOptions {
  /**
   * How long a call whose task every live subject with workers has reported
   * on, without `quorum` of them agreeing, waits for another subject to join
   * before it fails with `QuorumError` (default 10 s). Nothing is accepted or
   * cached, and nobody is judged wrong by it; a retry runs the task again.
   */
  readonly disputeMs?: number
}

export interface DisputeWatchOptions extends DisputeOptions {
  readonly parts: SwarmParts
  readonly clock: Clock
  /** `elsewhere` for `.remote()`: this connection's own workers cannot run its calls. */
  readonly placement: 'anywhere' | 'elsewhere'
  readonly runs: readonly JobRun[]
}

/** The subjects of live peers with workers that could run the job's tasks. */
function liveSubjects(parts: SwarmParts, job: JobIndex, placement: 'anywhere' | 'elsewhere'): Set<string> {
  const self = parts.peer.id
  const subjects = new Set<string>()
  const add = (peer: typeof self): void => {
    const subject = job.subjectOf(peer)
    if (subject !== undefined) subjects.add(subject)
  }
  for (const record of parts.peer.presence.list()) if (record.peer !== self && record.workers > 0) add(record.peer)
  if (placement === 'anywhere' && (parts.ownWorkers ?? 0) > 0) add(self)
  return subjects
}

/**
 * Ends the calls of tasks stuck in a dispute (`scheduler/disputes.ts`):
 * every live subject with workers reported, they disagree, and that has held,
 * with the same reporters and the same live subjects, for `disputeMs`.
 * Without this, one honest donor and one liar at quorum 2 wait for ever.
 */
export function watchDisputes(options: DisputeWatchOptions): { readonly stop: () => void } {
  const { parts, clock, placement, runs } = options
  const waitMs = options.disputeMs ?? DISPUTE_WAIT_MS
  /** Per run and key: since when the dispute has stood as `shape` says. */
  const standing = new Map<string, { readonly since: number; readonly shape: string }>()
  let stopped = false
  let timer: unknown
  const check = (): void => {
    if (stopped) return
    const now = clock.now()
    const seen = new Set<string>()
    runs.forEach((run, i) => {
      const waiting = run.waiting()
      if (waiting === undefined || waiting.tasks.length === 0) return
      const live = liveSubjects(parts, waiting.job, placement)
      const liveShape = [...live].sort().join(',')
      for (const [key, task] of waiting.tasks) {
        const dispute = deadlockedDispute(waiting.job, task, live, now)
        if (dispute === undefined) continue
        const id = `${i}/${key}`
        seen.add(id)
        const shape = `${dispute.subjects.join(',')}|${liveShape}`
        const held = standing.get(id)
        if (held === undefined || held.shape !== shape) standing.set(id, { since: now, shape })
        else if (now - held.since >= waitMs) run.reject(key, disputeError(dispute, waitMs))
      }
    })
    for (const id of standing.keys()) if (!seen.has(id)) standing.delete(id)
    timer = clock.setTimeout(check, Math.min(CHECK_MS, waitMs))
  }
  timer = clock.setTimeout(check, Math.min(CHECK_MS, waitMs))
  return {
    stop: () => {
      stopped = true
      clock.clearTimeout(timer)
    },
  }
}

