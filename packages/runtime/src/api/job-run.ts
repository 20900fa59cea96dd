import {
  fromErrorRecord,
  taskPhase,
  valueRef,
  type Address,
  type CacheEntry,
  type CachePolicy,
  type Clock,
  type JobIndex,
  type TaskKey,
  type ValueStore,
  type SwarmDoc,
} from '@tessera/core'
import type { Progress } from './progress.ts'
import { LogFollower, type RunLog } from './task-log.ts'
import { PROGRESS_INTERVAL_MS, RunningCount } from './running-count.ts'

/** How long a finished batch waits for the cache entries of its accepted results (others fill in missing ones later). */
const CACHE_WAIT_MS = 3_000
/** How often pending calls look in the cache again, events or not. */
const CACHE_SWEEP_MS = 5_000

/** A call of a batch, as the job knows it. */
export interface PlannedCall {
  readonly index: number
  readonly key: TaskKey
}

export type CallOutcome = { readonly ok: true; readonly value: unknown; readonly cached: boolean } | { readonly ok: false; readonly error: Error }

export interface JobRunOptions {
  readonly swarm: SwarmDoc
  readonly values: ValueStore
  readonly clock: Clock
  /** The job's index once its document is open; undefined while everything came from the cache. */
  readonly job: () => JobIndex | undefined
  /** Calls back when a job document opens here; returns how to stop. */
  readonly onJobOpen: (listener: () => void) => () => void
  /** Calls back when a signer's subject may have changed (a certificate arrived), which can make an entry meet `policy`. */
  readonly onSubjectsChange?: (listener: () => void) => () => void
  /** Task id in the job for each key that was not cached. */
  readonly taskOf: ReadonlyMap<TaskKey, string>
  /** Which cache entries answer a call (`cachePolicyFor`). */
  readonly policy: CachePolicy
  readonly calls: readonly PlannedCall[]
  readonly onOutcome: (call: PlannedCall, outcome: CallOutcome) => void
  /** The batch adds the room's `workers`. */
  readonly onProgress?: (progress: Omit<Progress, 'workers'>) => void
  /** The job was cancelled, here or by another host (`stopJob`), before every call settled. */
  readonly onCancelled?: () => void
  /** `ref`: each result as a link to its stored value (`{ "/": address }`), left where it was computed. */
  readonly resultsAs?: 'value' | 'ref'
  /** What the calls' runs printed, from their reports. */
  readonly onLog?: (call: PlannedCall, line: RunLog) => void
}

/**
 * Follows one batch to its end: answers cached calls at once, then, whenever
 * the swarm or the job document changes, reads the job's settled-task log and
 * hands each outcome to `onOutcome` as it lands.
 * Outcomes are read from the job's accepted reports, so a task that failed
 * for good (timeouts, lost leases, no quorum) ends as well as one that ran.
 */
export class JobRun {
  readonly #byKey = new Map<TaskKey, PlannedCall[]>()
  readonly #pending = new Set<TaskKey>()
  /** Pending calls whose cache entry changed since the last step. */
  readonly #cacheChanged = new Set<TaskKey>()
  /** Calls whose accepted result is known, but not yet its value-index entry. */
  readonly #awaitingValue = new Map<TaskKey, Address>()
  /** Of those, the ones answered by an entry that was there before the batch ran (cache hits). */
  readonly #awaitingCached = new Set<TaskKey>()
  /** The job's task ids back to their keys. */
  readonly #keyOfTask = new Map<string, TaskKey>()
  #seen = 0
  #done = 0
  #cached = 0
  #failed = 0
  #stopped = false
  /** A step is queued on the clock, or running; a change meanwhile asks for one more. */
  #scheduled = false
  #stepping = false
  #dirty = false
  readonly #unsubscribe: Array<() => void> = []
  #watchedJob: JobIndex | undefined
  /** Keys settled from an accepted report: the batch ends once their cache entries are here too. */
  readonly #accepted: TaskKey[] = []
  #cacheWaitUntil: number | undefined
  #reportedAt = Number.NEGATIVE_INFINITY
  #reportQueued = false
  readonly #running = new RunningCount()
  readonly #finished: Promise<void>
  #finish!: () => void
  readonly #logs: LogFollower | undefined

  constructor(private readonly o: JobRunOptions) {
    for (const call of o.calls) {
      const calls = this.#byKey.get(call.key)
      if (calls === undefined) this.#byKey.set(call.key, [call])
      else calls.push(call)
    }
    for (const [key, task] of o.taskOf) this.#keyOfTask.set(task, key)
    this.#logs = o.onLog === undefined ? undefined : new LogFollower(this.#keyOfTask, (key) => this.#byKey.get(key) ?? [], o.onLog)
    this.#finished = new Promise((resolve) => (this.#finish = resolve))
  }

  /** The job this batch follows, once its document is open here. */
  get jobId(): string | undefined {
    return this.o.job()?.spec.id
  }

  /** Resolves once every call has an outcome (or `stop` was called). */
  async run(): Promise<void> {
    const compacted = this.o.swarm.cacheTreeRoots().length > 0 ? this.o.values.compacted : undefined
    for (const key of this.#byKey.keys()) {
      // Compacted entries are looked up once here; the document's are watched from then on.
      const cached = this.o.swarm.cached(key, this.o.policy) ?? (await compacted?.cached(key, this.o.policy))
      if (cached !== undefined) await this.#settleFromCache(key, cached)
      else this.#pending.add(key)
    }
    this.#report()
    if (this.#pending.size === 0) this.#finish()
    else {
      this.#subscribe()
      this.#schedule()
    }
    return this.#finished
  }

  /** The job and its tasks this batch still waits on a report for, once its document is open here. */
  waiting(): { readonly job: JobIndex; readonly tasks: ReadonlyArray<readonly [TaskKey, string]> } | undefined {
    const job = this.o.job()
    if (job === undefined || this.#stopped) return undefined
    const tasks: Array<readonly [TaskKey, string]> = []
    for (const key of this.#pending) {
      const task = this.o.taskOf.get(key)
      if (task !== undefined && !this.#awaitingValue.has(key)) tasks.push([key, task])
    }
    return { job, tasks }
  }

  /** Ends the calls of a task nobody can settle now (`dispute-watch.ts`); nothing is written. */
  reject(key: TaskKey, error: Error): void {
    if (this.#stopped || !this.#pending.has(key) || this.#awaitingValue.has(key)) return
    this.#settle(key, { ok: false, error })
    this.#schedule()
  }

  stop(): void {
    this.#stopped = true
    this.#logs?.close()
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    this.#finish()
  }

  #subscribe(): void {
    const onChange = (): void => this.#schedule()
    const doc = this.o.swarm.doc
    doc.on('afterTransaction', onChange)
    // Cache entries for pending calls: the job's reports may never reach this peer (a donor that
    // drops a finished job's document before its last reports sync), but the entries they made do.
    const cache = this.o.swarm.cache
    const onCache = (event: { keysChanged: Set<string> }): void => {
      for (const key of event.keysChanged) if (this.#pending.has(key as TaskKey)) this.#cacheChanged.add(key as TaskKey)
    }
    cache.observe(onCache)
    this.#unsubscribe.push(() => doc.off('afterTransaction', onChange), () => cache.unobserve(onCache), this.o.onJobOpen(onChange))
    // An entry that came before its signers' certificates meets the policy only once they arrive.
    const onSubjects = (): void => {
      for (const key of this.#pending) this.#cacheChanged.add(key)
      this.#schedule()
    }
    if (this.o.onSubjectsChange !== undefined) this.#unsubscribe.push(this.o.onSubjectsChange(onSubjects))
    // And once in a while whatever the events said: donors leave a task alone once the cache
    // answers it for this job (`scheduler/shared-keys.ts`), so a missed event must not leave it waiting.
    let sweep: unknown
    const again = (): void => {
      onSubjects()
      sweep = this.o.clock.setTimeout(again, CACHE_SWEEP_MS)
    }
    sweep = this.o.clock.setTimeout(again, CACHE_SWEEP_MS)
    this.#unsubscribe.push(() => this.o.clock.clearTimeout(sweep))
  }

  /** Follows the job document's changes too, from the moment it is open here. */
  #watchJob(job: JobIndex | undefined): void {
    if (job === undefined || this.#watchedJob === job) return
    this.#watchedJob = job
    const onChange = (): void => this.#schedule()
    job.job.doc.on('afterTransaction', onChange)
    this.#unsubscribe.push(() => job.job.doc.off('afterTransaction', onChange))
  }

  // Changes come in bursts (a batch of reports is many transactions): one step
  // on the next turn of the clock reads them all.
  #schedule(): void {
    if (this.#stopped) return
    if (this.#stepping) {
      this.#dirty = true
      return
    }
    if (this.#scheduled) return
    this.#scheduled = true
    this.o.clock.setTimeout(() => {
      this.#scheduled = false
      this.#stepping = true
      this.#step().then(
        () => this.#afterStep(),
        () => this.#afterStep(),
      )
    }, 0)
  }

  #afterStep(): void {
    this.#stepping = false
    if (this.#dirty) {
      this.#dirty = false
      this.#schedule()
    }
  }

  async #step(): Promise<void> {
    if (this.#stopped) return
    const job = this.o.job()
    this.#watchJob(job)
    this.#logs?.poll(job)
    if (job !== undefined && (job.cancelled || this.o.swarm.job(job.spec.id)?.state === 'cancelled')) {
      this.o.onCancelled?.()
      this.stop()
      return
    }
    // The accepted report (job document) can arrive before the result's entry in the
    // value index (swarm document): such a call waits for it instead of failing.
    for (const [key, address] of [...this.#awaitingValue]) {
      if (!this.o.values.has(address)) continue
      this.#awaitingValue.delete(key)
      const cached = this.#awaitingCached.delete(key)
      await this.#settleValue(key, address, cached)
    }
    // Without the job's document (a reference from another host, a dropped job) the cache is the only witness.
    if (job === undefined) for (const key of [...this.#pending]) {
      const cached = this.o.swarm.cached(key, this.o.policy)
      if (cached !== undefined) await this.#settleFromCache(key, cached)
    }
    // With it, the cache still answers calls whose reports have not arrived here.
    const touched = [...this.#cacheChanged]
    this.#cacheChanged.clear()
    for (const key of touched) {
      const cached = this.#pending.has(key) && !this.#awaitingValue.has(key) ? this.o.swarm.cached(key, this.o.policy) : undefined
      if (cached !== undefined) await this.#settleFromCache(key, cached, false)
    }
    if (job !== undefined) {
      const log = job.settledLog()
      for (; this.#seen < log.length; this.#seen++) {
        const task = log[this.#seen] as string
        const key = this.#keyOfTask.get(task)
        if (key === undefined || !this.#pending.has(key)) continue
        const phase = taskPhase(job, task, this.o.clock.now())
        if (phase.phase === 'failed') this.#settle(key, { ok: false, error: fromErrorRecord(phase.error) })
        else if (phase.phase === 'done') {
          this.#accepted.push(key)
          const outcome = phase.outcome
          if (outcome.kind === 'thrown') this.#settle(key, { ok: false, error: fromErrorRecord(outcome.error) })
          else if (this.o.resultsAs !== 'ref' && !this.o.values.has(outcome.result)) this.#awaitingValue.set(key, outcome.result)
          else await this.#settleValue(key, outcome.result)
        }
      }
    }
    this.#report(this.#pending.size === 0)
    if (this.#pending.size === 0 && this.#cachedHere()) this.stop()
  }

  /**
   * Read your writes: a reporter writes its cache entry just after its report,
   * so a batch that ended on reports waits (briefly, bounded) for the entries,
   * and a rerun straight after it is answered from the cache.
   */
  #cachedHere(): boolean {
    if (this.#accepted.every((key) => this.o.swarm.cached(key, this.o.policy) !== undefined)) return true
    const now = this.o.clock.now()
    if (this.#cacheWaitUntil === undefined) {
      this.#cacheWaitUntil = now + CACHE_WAIT_MS
      // Changes to the swarm document wake the run; this wakes it at the deadline.
      this.o.clock.setTimeout(() => this.#schedule(), CACHE_WAIT_MS)
    }
    return now >= this.#cacheWaitUntil
  }

  async #settleValue(key: TaskKey, address: Address, cached = false): Promise<void> {
    try {
      this.#settle(key, { ok: true, value: await this.#resultOf(address), cached }, cached)
    } catch (error) {
      this.#settle(key, { ok: false, error: error as Error }, cached)
    }
  }

  /** `cached`: the entry was there before this batch ran (it counts as a cache hit), not made by its job. */
  async #settleFromCache(key: TaskKey, entry: CacheEntry, cached = true): Promise<void> {
    if (entry.kind === 'failure') {
      this.#settle(key, { ok: false, error: fromErrorRecord(entry.error) }, cached)
      return
    }
    // An entry can arrive before the result's entry in the value index: the signer that
    // wrote it (one that added its proof, say) need not be the one that listed the value.
    if (this.o.resultsAs !== 'ref' && !this.o.values.has(entry.result)) {
      this.#pending.add(key)
      this.#awaitingValue.set(key, entry.result)
      if (cached) this.#awaitingCached.add(key)
      return
    }
    await this.#settleValue(key, entry.result, cached)
  }

  async #resultOf(address: Address): Promise<unknown> {
    return this.o.resultsAs === 'ref' ? valueRef(address) : this.o.values.get(address)
  }

  #settle(key: TaskKey, outcome: CallOutcome, cached = false): void {
    this.#pending.delete(key)
    let first = true
    for (const call of this.#byKey.get(key) ?? []) {
      this.#done++
      if (cached) this.#cached++
      if (!outcome.ok) this.#failed++
      // Repeated arguments ran once, but each caller gets a value of its own to change.
      this.o.onOutcome(call, first || !outcome.ok ? outcome : { ...outcome, value: structuredClone(outcome.value) })
      first = false
    }
  }

  // At most once per interval however often the documents change, and once more after a quiet spell.
  #report(final = true): void {
    if (this.o.onProgress === undefined) return
    const now = this.o.clock.now()
    if (!final && now - this.#reportedAt < PROGRESS_INTERVAL_MS) {
      if (!this.#reportQueued) {
        this.#reportQueued = true
        this.o.clock.setTimeout(() => {
          this.#reportQueued = false
          if (!this.#stopped) this.#report()
        }, PROGRESS_INTERVAL_MS)
      }
      return
    }
    this.#reportedAt = now
    const job = this.o.job()
    const running = job === undefined ? 0 : this.#running.count(job, this.#pending, this.o.taskOf, (key) => this.#byKey.get(key)?.length ?? 0, now)
    this.o.onProgress({ done: this.#done, total: this.o.calls.length, cached: this.#cached, failed: this.#failed, running })
  }
}
