import type { TaskKey } from '../ids.ts'
import { isTaskId } from './records.ts'
import { splitRecordKey, WaitingKeys } from './record-key.ts'
import type { Claim, Failure, JobSpec, TaskId } from './schema.ts'
import { checkClaim, checkFailure } from './signed-claims.ts'
import { LatestLeases } from './latest-leases.ts'

const NONE: readonly never[] = Object.freeze([])

/**
 * A job's failures as one reader indexed them, per task, each checked against
 * its task's key (one that came before its task waits for it), and the
 * claims seen, so that a lapse whose claimant renewed its lease after does
 * not stand (`latest-leases.ts`).
 */
export class FailureIndex {
  readonly #failures = new Map<TaskId, Failure[]>()
  /** Bounded by the job's failures: only those keyed by a task id of this job wait. */
  readonly #waiting = new WaitingKeys()
  /** Per task, each claimant's latest signed lease seen here: a lapse it outlived does not count. */
  readonly #leases: LatestLeases

  /**
   * `keyOf` gives a task's key once its record is here and well-formed;
   * `packed` the claim that a task's claim key names by its pack's key, as
   * the pack stands now (`claim-packs.ts`).
   */
  constructor(
    private readonly spec: JobSpec,
    private readonly keyOf: (task: TaskId) => TaskKey | undefined,
    packed: (task: TaskId, packKey: string) => Claim | undefined = () => undefined,
  ) {
    this.#leases = new LatestLeases((task, raw) => {
      if (typeof raw === 'string') return packed(task, raw)
      const key = this.keyOf(task)
      return key === undefined ? undefined : checkClaim(task, raw, this.spec, key)
    })
  }

  has(task: TaskId): boolean {
    return this.#failures.has(task)
  }

  /** Tasks with at least one failure. */
  tasks(): Iterable<TaskId> {
    return this.#failures.keys()
  }

  /** Failures their claimant's own records show, less lapses of a lease its claimant renewed after (as seen here). */
  standing(task: TaskId): readonly Failure[] {
    const failures = this.#failures.get(task)
    return failures === undefined ? NONE : this.#leases.standing(task, failures)
  }

  /** A claim write arrived under `task`, or a pack it names was written (checked only when a lapse needs judging). */
  seenClaim(task: TaskId, raw: unknown): void {
    this.#leases.seen(task, raw)
  }

  /** The task settled: its lapses no longer matter. */
  forgetLeases(task: TaskId): void {
    this.#leases.forget(task)
  }

  /** Failure keys that waited for `task`, to be put again now that it is here. */
  takeWaiting(task: TaskId): Iterable<string> {
    return this.#waiting.take(task)
  }

  /** Indexes a failure its claimant's records show; returns its task, or undefined when the entry is ignored. */
  put(key: string, raw: unknown): TaskId | undefined {
    const [task, attempt] = splitRecordKey(key)
    const taskKey = this.keyOf(task)
    if (taskKey === undefined) {
      if (isTaskId(task, this.spec.taskCount)) this.#waiting.add(task, key)
      return undefined
    }
    const failure = checkFailure(task, attempt, raw, this.spec, taskKey)
    if (failure === undefined) return undefined
    const failures = (this.#failures.get(task) ?? []).filter((f) => f.attempt !== failure.attempt)
    this.#failures.set(task, [...failures, failure])
    return task
  }
}
