import type { JobId, PeerId, TaskKey } from '../ids.ts'
import { claimLowWater, nextBatchSize } from '../scheduler/batch-size.ts'
import { jobsByPriority } from '../scheduler/priority.ts'
import { selectStragglers } from '../scheduler/stragglers.ts'
import { taskPhase } from '../scheduler/task-phase.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { TaskId } from '../swarm/schema.ts'
import { loadTaskArgs } from '../swarm/task-args.ts'
import { startBackup } from '../swarm/writes.ts'
import type { Value } from '../encoding/supported-value.ts'
import { DONOR_DEFAULTS, type DonorOptions } from './donor-options.ts'
import { WriteBack, type Finished, type Slot } from './write-back.ts'
import { OwnClaims } from './own-claims.ts'
import { SharedKeyGuard } from './shared-key-guard.ts'
import { DependencyGate } from './dependency-gate.ts'
import { FunctionLoader } from './function-loader.ts'
import { chainsAhead, handOffClaims } from './hand-off.ts'
import { RunTimes } from './run-times.ts'
import { DesignatedClaims } from './designated-claims.ts'
import { runTask } from './run-task.ts'
import { InputLocality } from './input-locality.ts'

/**
 * One peer's share of the work: claims batches, waits out the settle window,
 * runs what it still holds, renews its leases, reports in batches, and backs up
 * stragglers when idle. Decisions come from the scheduling functions.
 */
export class Donor {
  #o: DonorOptions & typeof DONOR_DEFAULTS
  readonly #self: PeerId
  readonly #settling: Array<Slot & { settleAt: number }> = []
  readonly #ready: Slot[] = []
  readonly #running = new Set<Slot>()
  readonly #functions: FunctionLoader
  /** Arguments of the next ready tasks (one per worker), fetched while the workers compute. */
  readonly #prefetched = new Map<Slot, Promise<Value>>()
  readonly #times = new RunTimes()
  /** Per job: after a scan found nothing to claim, when the next scan can find something. */
  readonly #idleUntil = new Map<JobId, number>()
  readonly #writeBack: WriteBack
  readonly #ownClaims: OwnClaims
  readonly #sharedKeys: SharedKeyGuard
  readonly #deps: DependencyGate
  readonly #designated: DesignatedClaims
  readonly #locality: InputLocality
  /** Open jobs, as of the last step. */
  #open: JobIndex[] = []
  #unobserveCache: (() => void) | undefined
  #stragglerScanAt = 0
  #timer: unknown
  #stopped = true
  #paused = false
  #runs = 0

  constructor(options: DonorOptions) {
    this.#o = { ...DONOR_DEFAULTS, ...options }
    this.#self = options.identity.peer
    this.#ownClaims = new OwnClaims(options.identity, options.clock.now())
    this.#sharedKeys = new SharedKeyGuard(options.swarm, this.#o.clockSkewMs)
    this.#deps = new DependencyGate(this.#self, options.swarm, options.values)
    this.#functions = new FunctionLoader(options.values)
    this.#designated = new DesignatedClaims(this.#self, options.liveDonors, this.#o.targetBatchMs)
    this.#locality = new InputLocality(this.#self, options.swarm, this.#deps, options.liveDonors, 2 * this.#o.settleMs)
    this.#writeBack = new WriteBack({
      identity: options.identity,
      swarm: options.swarm,
      values: options.values,
      jobs: options.jobs,
      reportFlushMs: this.#o.reportFlushMs,
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    })
  }

  get runs(): number {
    return this.#runs
  }

  /** Tasks held: settling, waiting for a worker, or running. */
  get held(): number {
    return this.#backlog()
  }

  get paused(): boolean {
    return this.#paused
  }

  /** Stops claiming and backing up stragglers; what is held still runs, renews and reports. */
  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
  }

  /** How many tasks run at once from now on (a whole number, at least 1); batches are sized to it. */
  setWorkers(workers: number): void {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`a donor needs a whole number of workers, at least 1; got ${workers}`)
    this.#o = { ...this.#o, workers }
    if (!this.#stopped) this.#startRuns()
  }

  start(): void {
    if (!this.#stopped) return
    this.#stopped = false
    // A result cached for a key some task waits on makes its dependents claimable now, not a lease later.
    this.#unobserveCache = this.#deps.watch(() => this.#open, (job) => this.#idleUntil.delete(job))
    this.#schedule()
  }

  /** Stops claiming and reporting. Claims held lapse, and other peers take the tasks over. */
  stop(): void {
    this.#stopped = true
    this.#unobserveCache?.()
    this.#unobserveCache = undefined
    this.#prefetched.clear()
    this.#o.clock.clearTimeout(this.#timer)
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = this.#o.clock.setTimeout(() => {
      try {
        this.tick()
      } catch (error) {
        // Whatever the documents hold, the loop goes on: a step that failed is tried again next tick.
        this.#reportError(error)
      }
      this.#schedule()
    }, this.#o.tickMs)
  }

  /** One scheduling step, every `tickMs` once `start()`ed. A stopped donor does nothing. */
  tick(): void {
    if (this.#stopped) return
    const now = this.#o.clock.now()
    const open: JobIndex[] = []
    const held: JobIndex[] = []
    for (const entry of this.#o.swarm.jobEntries()) {
      const view = this.#o.jobs(entry.id)
      if (view !== undefined) held.push(view)
      if (view !== undefined && entry.state === 'open') open.push(view)
    }
    this.#deps.noteFailures(held, open, now)
    this.#sharedKeys.openJobs = open
    this.#open = open
    this.#deps.keepOnly(open, held)
    // The most urgent ready task's job first (`priority.ts`), if this step may claim.
    const order = this.#paused || this.#busy() ? open : jobsByPriority(open, now, (view, task) => this.#deps.blocked(view, task), this.#o.clockSkewMs)
    for (const view of order) this.#claim(view, now)
    this.#settle(now)
    this.#backupStraggler(now)
    this.#renew(now)
    this.#startRuns()
    this.#writeBack.flush(now, this.#backlog() === 0)
    this.#writeBack.fillMissingCache(now)
    this.#writeBack.restoreOwnReports(now)
  }

  #reportError(error: unknown): void {
    try {
      ;(this.#o.onError ?? console.error)(error)
    } catch {
      // A reporter that throws must not stop the donor either.
    }
  }

  #backlog(): number {
    return this.#settling.length + this.#ready.length + this.#running.size
  }

  /** Holding enough not to claim now: the backlog, and the chains it runs (`chainsAhead`). */
  #busy(): boolean {
    const low = claimLowWater(this.#times.recent, this.#o)
    return this.#backlog() + chainsAhead([...this.#ready, ...this.#running], this.#o.jobs, low / this.#o.workers) > low
  }

  #claim(view: JobIndex, now: number): void {
    const backlog = this.#backlog()
    if (this.#paused || view.cancelled || this.#busy() || (backlog >= this.#o.workers && this.#times.recent.length === 0)) return
    if ((this.#idleUntil.get(view.spec.id) ?? 0) > now) return
    const size = nextBatchSize({
      recentDurationsMs: this.#times.of(view.spec.fn),
      targetBatchMs: this.#o.targetBatchMs,
      workers: this.#o.workers,
      queued: view.openCount(),
      peers: this.#o.peerCount?.() ?? 1,
    })
    // Tasks whose input blocks another live donor holds more of wait for it a little (`input-locality.ts`).
    const locality = this.#locality.gate(view, now)
    const startAt = Math.floor((this.#o.random?.() ?? 0) * view.openCount())
    const select = (orBusy: boolean, ownOnly = false): ReturnType<DesignatedClaims['select']> => this.#designated.select(view, {
      self: this.#self,
      now,
      limit: size,
      leaseMs: view.spec.leaseMs,
      startAt,
      skewMs: this.#o.clockSkewMs,
      workers: this.#o.workers,
      queuedAhead: backlog,
      // Waiting on another call's result: not claimed (nor ever a straggler).
      skip: (task) => this.#deps.blocked(view, task) || this.#sharedKeys.skips(view, task, now) || locality.leaves(task, orBusy) || (ownOnly && locality.yields(task)),
    })
    // Tasks whose blocks are here first; with none, and some left to holders, those a busy holder would run late too.
    let { decisions, retryAt } = select(true)
    // Others' tasks past their grace came in too: this donor's own first while it has any (a holder's queue can outlast a grace).
    if (decisions.some((d) => locality.yields(d.task))) {
      const own = select(true, true)
      if (own.decisions.length > 0) ({ decisions, retryAt } = own)
    }
    if (decisions.length === 0 && locality.reopensAt() < Number.POSITIVE_INFINITY) ({ decisions, retryAt } = select(false))
    if (decisions.length === 0) {
      // Only a lapsing lease (or a recorded failure, which the cap covers) frees a task, or the end of a holder's grace.
      this.#idleUntil.set(view.spec.id, Math.min(retryAt, locality.reopensAt(), now + view.spec.leaseMs / 4))
      return
    }
    for (const { task, claim } of this.#ownClaims.write(view, decisions, now)) {
      this.#settling.push({ job: view.spec.id, task, attempt: claim.attempt, backup: false, settleAt: locality.firstClaim(task) ? now : now + this.#o.settleMs })
    }
  }

  /** Claims and runs next what this result unblocks, unsettled (`hand-off.ts`); true if more wait on it. */
  #handOff(key: TaskKey, now: number): boolean {
    if (this.#paused) return true
    const free = Math.max(1, this.#o.workers - this.#running.size - this.#ready.length)
    const skips = (view: JobIndex, task: TaskId): boolean => this.#sharedKeys.skips(view, task, now)
    const { chosen, waiting } = handOffClaims(this.#deps, this.#open, key, { self: this.#self, now, skewMs: this.#o.clockSkewMs, workers: this.#o.workers, free, skips, locality: this.#locality })
    const slots = chosen.flatMap(({ view, decision }) => this.#ownClaims.write(view, [decision], now).map(({ task, claim }) => ({ job: view.spec.id, task, attempt: claim.attempt, backup: false, chainLink: waiting === 1 })))
    this.#ready.unshift(...slots)
    return waiting > slots.length
  }

  #settle(now: number): void {
    for (let i = 0; i < this.#settling.length; ) {
      const slot = this.#settling[i] as Slot & { settleAt: number }
      if (slot.settleAt > now) {
        i++
        continue
      }
      this.#settling.splice(i, 1)
      const view = this.#o.jobs(slot.job)
      if (view === undefined) continue
      const held = slot.backup ? view.backup(slot.task)?.peer === this.#self : this.#ownClaims.holds(view, slot.task, slot.attempt) && !this.#sharedKeys.givesWay(view, slot.job, slot.task, now)
      if (held) this.#ready.push(slot)
      else if (!slot.backup) this.#ownClaims.forget(slot.job, slot.task)
    }
    this.#prefetch()
  }

  #backupStraggler(now: number): void {
    if (this.#paused || this.#backlog() > 0 || now < this.#stragglerScanAt) return
    this.#stragglerScanAt = now + 4 * this.#o.tickMs
    for (const { id } of this.#o.swarm.jobEntries()) {
      const view = this.#o.jobs(id)
      if (view === undefined || view.cancelled || (this.#idleUntil.get(id) ?? 0) <= now || this.#locality.leftToHolders(view, now)) continue
      const candidates = selectStragglers(view, { self: this.#self, now, minRunMs: this.#o.targetBatchMs / 4 }).filter((task) => this.#designated.mayBackUp(view, task))
      if (candidates.length === 0) continue
      const task = candidates[Math.floor((this.#o.random?.() ?? 0) * candidates.length)] as TaskId
      startBackup(view.job, task, { peer: this.#self, startedAt: now })
      const attempt = view.claim(task)?.attempt ?? 0
      this.#settling.push({ job: view.spec.id, task, attempt, backup: true, settleAt: now + this.#o.settleMs })
      return
    }
  }

  #renew(now: number): void {
    // Every renewal of this tick under one signature per job.
    this.#ownClaims.renew([...this.#settling, ...this.#ready, ...this.#running], this.#o.jobs, now)
  }

  /** Fetches the next ready task's arguments per worker (bounded memory), so no worker idles while blocks arrive. */
  #prefetch(): void {
    for (const slot of this.#ready.slice(0, this.#o.workers)) {
      if (this.#prefetched.has(slot)) continue
      const view = this.#o.jobs(slot.job)
      const task = view?.task(slot.task)
      if (view === undefined || task === undefined) continue
      const args = loadTaskArgs(task, this.#o.values, this.#deps.resolverFor(view))
      // A failure is reported by the run that awaits it; a dropped slot's is of no interest.
      args.catch(() => {})
      this.#prefetched.set(slot, args)
    }
  }

  #startRuns(): void {
    while (this.#running.size < this.#o.workers && this.#ready.length > 0) {
      const slot = this.#ready.shift() as Slot
      const view = this.#o.jobs(slot.job)
      // A cancelled job's claimed tasks are dropped; its claims lapse on their own.
      if (view === undefined || view.cancelled) {
        this.#prefetched.delete(slot)
        continue
      }
      const phase = taskPhase(view, slot.task, this.#o.clock.now())
      // Answered meanwhile (another job computed its key): no need to run it again.
      if (phase.phase === 'done' || phase.phase === 'failed' || (!slot.backup && this.#sharedKeys.answered(view, slot.task))) {
        this.#prefetched.delete(slot)
        continue
      }
      this.#running.add(slot)
      this.#runs++
      void this.#run(view, slot)
        .then(
          (finished) => {
            this.#running.delete(slot)
            if (this.#stopped) return
            this.#times.record(view.spec.fn, finished.execution.durationMs)
            const now = this.#o.clock.now()
            this.#writeBack.add(finished, now)
            const key = view.task(slot.task)?.key
            if (finished.result !== undefined && key !== undefined) {
              this.#deps.recordOwn(key, finished.result)
              // Tasks left to other donors wait on this result: report it now, not with the next batch.
              if (this.#handOff(key, now)) this.#writeBack.flush(now, true)
            }
            // The worker is free now: waiting for the next tick would idle it for up to tickMs.
            this.#startRuns()
          },
          () => {
            this.#running.delete(slot)
            if (!this.#stopped) this.#startRuns()
          },
        )
        // The next run reads the documents again: whatever they hold, no unhandled rejection.
        .catch((error: unknown) => this.#reportError(error))
    }
    this.#prefetch()
  }

  #run(view: JobIndex, slot: Slot): Promise<Finished> {
    const prefetched = this.#prefetched.get(slot)
    this.#prefetched.delete(slot)
    return runTask(view, slot, prefetched, { functions: this.#functions, executor: this.#o.executor, values: this.#o.values, clock: this.#o.clock, resolver: this.#deps.resolverFor(view) })
  }
}
