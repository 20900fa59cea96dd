import type { Clock } from '../clock.ts'
import type { JobView } from '../scheduler/job-view.ts'
import { taskPhase, isSettled } from '../scheduler/task-phase.ts'
import { tallyFailures } from '../scheduler/failure-tally.ts'
import type { TaskId } from './schema.ts'

/** Longest wait for a lapse to pass by this clock that is worth a timer (a lease is 10 s by default). */
const MAX_LAPSE_WAIT_MS = 10 * 60_000

/**
 * Which of a job's tasks are still open, as one reader judges them. Whether a
 * task is settled depends only on its reports and failures, which only grow,
 * so it is decided once per change (`recheck`) rather than on every scan, and
 * a scheduling step costs what is left to do rather than the size of the job.
 */
export class TaskSettling {
  readonly #open = new Set<TaskId>()
  /** Tasks in the order they settled here. */
  readonly #settled: TaskId[] = []
  readonly #settledListeners = new Set<(task: TaskId) => void>()
  readonly #changeListeners = new Set<(task: TaskId) => void>()
  /** Per task, a recheck for when a recorded lapse will have passed by this clock. */
  readonly #lapseTimers = new Map<TaskId, { at: number; timer: unknown }>()

  /**
   * `view` is the job judged; `hasFailures` says whether a task has failures
   * recorded (a lapse may count later); `settled` is told of each task as it
   * settles, before the listeners. Without a `clock` every lease has passed.
   */
  constructor(
    private readonly view: JobView,
    private readonly clock: Clock | undefined,
    private readonly hasFailures: (task: TaskId) => boolean,
    private readonly settled: (task: TaskId) => void,
  ) {}

  open(task: TaskId): void {
    this.#open.add(task)
  }

  /** The task is gone as far as this reader can tell: it is neither open nor settled. */
  drop(task: TaskId): void {
    this.#open.delete(task)
  }

  isOpen(task: TaskId): boolean {
    return this.#open.has(task)
  }

  openTasks(): ReadonlySet<TaskId> {
    return this.#open
  }

  /** Every task that has settled, in the order this reader saw it happen. Append-only. */
  settledLog(): readonly TaskId[] {
    return this.#settled
  }

  onSettled(listener: (task: TaskId) => void): () => void {
    this.#settledListeners.add(listener)
    return () => this.#settledListeners.delete(listener)
  }

  onTaskChanged(listener: (task: TaskId) => void): () => void {
    this.#changeListeners.add(listener)
    return () => this.#changeListeners.delete(listener)
  }

  /** The task's reports, failures or verdicts changed: tell the listeners, and settle it if it now is. */
  recheck(id: TaskId): void {
    for (const listener of this.#changeListeners) listener(id)
    const now = this.clock?.now() ?? Number.POSITIVE_INFINITY
    if (this.#open.has(id) && isSettled(taskPhase(this.view, id, now))) {
      this.#open.delete(id)
      this.#settled.push(id)
      this.settled(id)
      for (const listener of this.#settledListeners) listener(id)
    } else if (this.#open.has(id) && this.hasFailures(id)) {
      this.#recheckWhenLapsed(id, now)
    }
  }

  close(): void {
    for (const { timer } of this.#lapseTimers.values()) this.clock?.clearTimeout(timer)
    this.#lapseTimers.clear()
    this.#settledListeners.clear()
    this.#changeListeners.clear()
  }

  /** A lapse recorded before its lease passed by this clock counts later: judge the task again then. */
  #recheckWhenLapsed(id: TaskId, now: number): void {
    const clock = this.clock
    const at = clock === undefined ? undefined : tallyFailures(this.view, id, now).pendingUntil
    const scheduled = this.#lapseTimers.get(id)
    if (clock === undefined || at === undefined || (scheduled !== undefined && scheduled.at <= at)) return
    // A claimant's own far-future lease would overflow a timer; any later change judges it again anyway.
    if (at - now > MAX_LAPSE_WAIT_MS) return
    if (scheduled !== undefined) clock.clearTimeout(scheduled.timer)
    const timer = clock.setTimeout(() => {
      this.#lapseTimers.delete(id)
      this.recheck(id)
    }, Math.max(0, at - now) + 1)
    this.#lapseTimers.set(id, { at, timer })
  }
}
