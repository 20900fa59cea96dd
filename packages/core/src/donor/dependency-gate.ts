import { decodeCanonical } from '../encoding/canonical.ts'
import type { Value } from '../encoding/supported-value.ts'
import { DependencyFailedError, MalformedRecordError, type ErrorRecord } from '../errors.ts'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import { acceptedForJob } from '../scheduler/shared-keys.ts'
import { taskPhase } from '../scheduler/task-phase.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import { INLINE_VALUE_LIMIT, type CacheEntry, type TaskId } from '../swarm/schema.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { TaskResolver } from '../swarm/task-link.ts'
import type { ValueStore } from '../swarm/value-store.ts'

/** Own results kept for the tasks they unblock here, before (and while) the cache carries them. */
const OWN_RESULTS = 256
const OWN_RESULT_BYTES = 64 * 1024 * 1024
/** Keys remembered as failed for good. */
const FAILED_KEYS = 100_000

type OwnResult = { readonly address: Address; readonly bytes: Uint8Array } | { readonly error: ErrorRecord }

/** A job's tasks by the task keys they link to, built as its records arrive. */
interface Dependents {
  readonly byDep: Map<TaskKey, TaskId[]>
  /** Task ids whose records have not arrived yet. */
  missing: TaskId[]
  /** The scheduling step that last looked for them: once a step is enough. */
  scannedAt: number
}

/**
 * What a donor knows of task links (`swarm/task-link.ts`): which tasks are
 * blocked (a dependency has no accepted outcome yet, under the dependent job's
 * own policy, as for cache answers), what a dependency resolves to, and which
 * tasks a finished key unblocks. This peer's own results count at once, before
 * the report flush and the cache write, where the dependent job's policy takes
 * this peer's word alone; that, and claiming what they unblock without the
 * settle window (`Donor`), is what keeps a chain from paying both per link.
 */
export class DependencyGate {
  readonly #own = new Map<TaskKey, OwnResult>()
  #ownBytes = 0
  readonly #dependents = new Map<JobId, Dependents>()
  /** Keys whose task failed for good in some job (timeouts, lost leases, no quorum): no cache entry says so. */
  readonly #failed = new Map<TaskKey, ErrorRecord>()
  /** Per job: how much of its settled-task log has been read for failures. */
  readonly #settledSeen = new Map<JobId, number>()
  /** Scheduling steps so far (`noteFailures` runs once a step). */
  #step = 0
  /** Stopped jobs whose unfinished tasks were noted as lost. */
  readonly #cancelSeen = new Set<JobId>()
  #wake: { readonly open: () => readonly JobIndex[]; readonly wake: (job: JobId) => void } | undefined

  constructor(
    private readonly self: PeerId,
    private readonly swarm: SwarmDoc,
    private readonly values: ValueStore,
  ) {}

  /** A result this peer computed (or the error its function threw). */
  recordOwn(key: TaskKey, result: OwnResult): void {
    this.#forgetOwn(key)
    this.#own.set(key, result)
    this.#ownBytes += 'bytes' in result ? result.bytes.byteLength : 0
    // Bounded: the oldest go first (Maps iterate in insertion order).
    while (this.#own.size > OWN_RESULTS || this.#ownBytes > OWN_RESULT_BYTES) this.#forgetOwn(this.#own.keys().next().value as TaskKey)
  }

  /** Whether a dependency of the task has no accepted outcome yet. */
  blocked(view: JobIndex, task: TaskId): boolean {
    const deps = view.task(task)?.deps
    return deps !== undefined && deps.some((key) => this.#outcome(view, key) === undefined)
  }

  /** How many of the task's dependencies have results here already (own, or small enough to ride in the index). */
  heldInputs(view: JobIndex, task: TaskId): number {
    let held = 0
    for (const key of view.task(task)?.deps ?? []) {
      const outcome = this.#outcome(view, key)
      if (outcome === undefined) continue
      if ('bytes' in outcome || ('kind' in outcome && outcome.kind === 'value' && this.swarm.value(outcome.result)?.inline !== undefined)) held++
    }
    return held
  }

  /**
   * Where the dependency's result is, for placement (`input-locality.ts`): its
   * address, its size, whether this peer computed it, and who proved it in
   * the cache (each of them computed it, so holds it). Undefined while it has
   * no accepted value.
   */
  resultOf(view: JobIndex, key: TaskKey): { readonly address: Address; readonly bytes: number; readonly own: boolean; readonly provers: readonly PeerId[] } | undefined {
    const outcome = this.#outcome(view, key)
    if (outcome === undefined) return undefined
    // A result small enough to ride in the swarm document is held by every peer: 0 bytes to place by.
    if ('bytes' in outcome) return { address: outcome.address, bytes: outcome.bytes.byteLength > INLINE_VALUE_LIMIT ? outcome.bytes.byteLength : 0, own: true, provers: [] }
    if (!('kind' in outcome) || outcome.kind !== 'value') return undefined
    const stored = this.swarm.value(outcome.result)
    return { address: outcome.result, bytes: stored?.inline !== undefined ? 0 : (stored?.size ?? 0), own: false, provers: outcome.proofs.map((proof) => proof.peer) }
  }

  /** What the task's links resolve to: each dependency's value, or `DependencyFailedError` naming it. */
  resolverFor(view: JobIndex): TaskResolver {
    return async (key: TaskKey): Promise<Value> => {
      const outcome = this.#outcome(view, key)
      // Claimed as unblocked: only a forgotten failure (`retryFailed`) takes an outcome away. No report: the claim lapses, and the task waits again.
      if (outcome === undefined) throw new MalformedRecordError(`dependency ${key} has no accepted result yet`)
      if ('bytes' in outcome) return decodeCanonical(outcome.bytes)
      if ('error' in outcome && !('kind' in outcome)) throw dependencyFailed(key, outcome.error)
      const entry = outcome as CacheEntry
      if (entry.kind === 'failure') throw dependencyFailed(key, entry.error)
      return this.values.get(entry.result)
    }
  }

  /** Tasks of these jobs that link to `key`, with how many other dependencies each has. */
  dependentsOf(views: readonly JobIndex[], key: TaskKey): Array<{ view: JobIndex; task: TaskId }> {
    const found: Array<{ view: JobIndex; task: TaskId }> = []
    for (const view of views) {
      for (const task of this.#index(view).byDep.get(key) ?? []) found.push({ view, task })
    }
    return found
  }

  /**
   * Reads what settled since last time in the jobs held here, for tasks that
   * failed for good: only a thrown error is cached, and a dependency that
   * timed out must fail its dependents too rather than leave them waiting.
   */
  noteFailures(held: readonly JobIndex[], open: readonly JobIndex[], now: number): void {
    this.#step++
    // Nothing to do until some task names another: most jobs have no dependencies at all.
    if (!open.some((view) => this.#index(view).byDep.size > 0)) return
    const failed: TaskKey[] = []
    for (const view of held) {
      const log = view.settledLog()
      const seen = this.#settledSeen.get(view.spec.id) ?? 0
      for (let i = seen; i < log.length; i++) {
        const task = log[i] as TaskId
        const key = view.task(task)?.key
        // A cached outcome says it all (a thrown error is cached too); only the rest may have failed for good.
        if (key === undefined || this.swarm.isCached(key)) continue
        const phase = taskPhase(view, task, now)
        if (phase.phase !== 'failed') continue
        this.#markFailed(key, phase.error)
        failed.push(key)
      }
      this.#settledSeen.set(view.spec.id, log.length)
      if (view.cancelled && !this.#cancelSeen.has(view.spec.id)) {
        this.#cancelSeen.add(view.spec.id)
        failed.push(...this.#noteCancelled(view, held))
      }
    }
    if (failed.length > 0 && this.#wake !== undefined) for (const job of this.jobsWaitingOn(this.#wake.open(), failed)) this.#wake.wake(job)
  }

  /**
   * A stopped job's unfinished tasks will never have a result: where no other
   * job held here computes the same key and the cache has nothing for it, the
   * tasks that wait on it fail instead of waiting for ever.
   */
  #noteCancelled(view: JobIndex, held: readonly JobIndex[]): TaskKey[] {
    const lost: TaskKey[] = []
    for (const task of view.openTasks()) {
      const key = view.task(task)?.key
      if (key === undefined || this.swarm.isCached(key)) continue
      if (held.some((other) => other !== view && !other.cancelled && other.tasksWithKey(key).length > 0)) continue
      this.#markFailed(key, { name: 'CancelledError', message: `its job ${view.spec.id} was stopped before it had a result` })
      lost.push(key)
    }
    return lost
  }

  #markFailed(key: TaskKey, error: ErrorRecord): void {
    // Bounded: the oldest go first (Maps iterate in insertion order).
    if (this.#failed.size >= FAILED_KEYS) this.#failed.delete(this.#failed.keys().next().value as TaskKey)
    this.#failed.set(key, error)
  }

  /** Forgets the index of jobs no longer open, and the reading of those no longer held. */
  keepOnly(open: readonly JobIndex[], held: readonly JobIndex[]): void {
    const ids = new Set(open.map((view) => view.spec.id))
    for (const id of this.#dependents.keys()) if (!ids.has(id)) this.#dependents.delete(id)
    const heldIds = new Set(held.map((view) => view.spec.id))
    for (const id of this.#settledSeen.keys()) if (!heldIds.has(id)) this.#settledSeen.delete(id)
    for (const id of this.#cancelSeen) if (!heldIds.has(id)) this.#cancelSeen.delete(id)
  }

  /** Jobs (of these) with a task that links to one of `keys`: a scan of them can find new work. */
  jobsWaitingOn(views: readonly JobIndex[], keys: Iterable<string>): JobId[] {
    const wanted = [...keys] as TaskKey[]
    return views.filter((view) => wanted.some((key) => this.#index(view).byDep.has(key))).map((view) => view.spec.id)
  }

  /** Calls `wake` with each job (of `open()`) that has a task waiting on a key whose cache entry changed, or that failed for good; returns how to stop. */
  watch(open: () => readonly JobIndex[], wake: (job: JobId) => void): () => void {
    this.#wake = { open, wake }
    const onCache = (event: { keysChanged: Set<string> }): void => {
      for (const job of this.jobsWaitingOn(open(), event.keysChanged)) wake(job)
    }
    this.swarm.cache.observe(onCache)
    return () => {
      this.#wake = undefined
      this.swarm.cache.unobserve(onCache)
    }
  }

  #index(view: JobIndex): Dependents {
    let index = this.#dependents.get(view.spec.id)
    if (index === undefined) {
      index = { byDep: new Map(), missing: Array.from({ length: view.spec.taskCount }, (_, i) => String(i)), scannedAt: -1 }
      this.#dependents.set(view.spec.id, index)
    }
    if (index.missing.length === 0 || index.scannedAt === this.#step) return index
    index.scannedAt = this.#step
    const missing: TaskId[] = []
    for (const task of index.missing) {
      const record = view.task(task)
      if (record === undefined) {
        missing.push(task)
        continue
      }
      for (const dep of record.deps ?? []) {
        const list = index.byDep.get(dep)
        if (list === undefined) index.byDep.set(dep, [task])
        else list.push(task)
      }
    }
    index.missing = missing
    return index
  }

  /** The dependency's outcome as the dependent job takes it: this peer's own where the job takes its word, else an accepted cache entry. */
  #outcome(view: JobIndex, key: TaskKey): OwnResult | CacheEntry | undefined {
    const own = this.#own.get(key)
    if (own !== undefined && this.#takesOwnWord(view)) return own
    const entry = this.swarm.cached(key)
    if (entry !== undefined && acceptedForJob(view, entry)) return entry
    const failed = this.#failed.get(key)
    return failed === undefined ? undefined : { error: failed }
  }

  #takesOwnWord(view: JobIndex): boolean {
    const entry = { kind: 'failure', error: { name: 'Error', message: '' }, proofs: [{ peer: this.self }] } as unknown as CacheEntry
    return acceptedForJob(view, entry)
  }

  #forgetOwn(key: TaskKey): void {
    const known = this.#own.get(key)
    if (known === undefined) return
    this.#own.delete(key)
    this.#ownBytes -= 'bytes' in known ? known.bytes.byteLength : 0
  }
}

function dependencyFailed(key: TaskKey, error: ErrorRecord): DependencyFailedError {
  return new DependencyFailedError(`its argument tessera:task:-:-:${key} failed with ${error.name}: ${error.message}`)
}
