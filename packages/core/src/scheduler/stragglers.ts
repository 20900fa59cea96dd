import type { PeerId } from '../ids.ts'
import type { TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'
import { taskPhase } from './task-phase.ts'

export interface StragglerOptions {
  readonly self: PeerId
  readonly now: number
  /** A task is a straggler once its batch has taken this many times the median per task (2 by default). */
  readonly slowdownFactor?: number
  /** ...and at least this long, so that tiny tasks are not duplicated for noise. */
  readonly minRunMs?: number
  /** Medians from fewer runs than this are not trusted. */
  readonly minSamples?: number
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * Tasks worth running a second time, most overdue first: only call this when
 * nothing is queued. Each runs elsewhere far longer than its batch should take,
 * and has no backup runner yet. The first result to arrive wins; the other run is
 * harmless because the function is pure. Idle peers should pick among these at
 * random, or they would all back up the same one.
 */
export function selectStragglers(view: JobView, options: StragglerOptions): TaskId[] {
  const durations = view.reportedDurations()
  if (durations.length < (options.minSamples ?? 5)) return []
  // 2×, not 3×: at 3× one donor 10× slower stretched a short job by 1.23× (trust scenario 14,
  // seed 1); a backup runs only on a peer with nothing to claim, so it costs idle time only.
  const perTask = median(durations) * (options.slowdownFactor ?? 2)
  const overdue: Array<{ task: TaskId; by: number }> = []
  for (const task of view.openTasks()) {
    const phase = taskPhase(view, task, options.now)
    if (phase.phase !== 'running' || phase.claim.peer === options.self || view.backup(task) !== undefined) continue
    // The claimant may have run the rest of its batch first: allow for all of it.
    const allowed = Math.max(perTask * Math.max(1, phase.claim.batch), options.minRunMs ?? 0)
    const by = options.now - phase.claim.claimedAt - allowed
    if (by > 0) overdue.push({ task, by })
  }
  return overdue.sort((a, b) => b.by - a.by).map((o) => o.task)
}
