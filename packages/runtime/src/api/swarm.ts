import {
  assertKeywordCall,
  CancelledError,
  decodeCanonical,
  definePure,
  encodeAndAddress,
  fromErrorRecord,
  jobDocGuid,
  JobDoc,
  ParallelError,
  SizeLimitError,
  submitJob,
  taskKeyOf,
  taskPhase,
  asJobId,
  resolveValueRefs,
  type ValueRef,
  type Donor,
  type Executor,
  type JobId,
  type JobOptions,
  type KeywordArgs,
  type PureFunction,
  type TaskKey,
  type Value,
} from '@tessera/core'
import type { MeshPeer } from '@tessera/mesh'
import { JobTracker } from '../job-tracker.ts'
import { JobRun, type CallOutcome, type PlannedCall } from './job-run.ts'
import type { BatchOptions, CallOptions, PureOptions, SwarmStatus } from './options.ts'
import { summarizeJob, type JobSummary } from './job-summary.ts'
import type { Settled } from './progress.ts'
import type { Streamed, SwarmFunction } from './swarm-function.ts'
import { formatTaskRef, parseTaskRef, type TaskRef } from './task-ref.ts'
import { randomJobId } from './random-job-id.ts'

export interface SwarmParts {
  readonly peer: MeshPeer
  readonly tracker: JobTracker
  /** This peer's workers; absent for a host that only submits. */
  readonly executor?: Executor
  readonly donor?: Donor
  /** Arguments over this many encoded bytes are refused before anything is queued. */
  readonly maxValueBytes: number
  readonly onClose?: () => Promise<void>
}

interface Plan<A> {
  readonly calls: PlannedCall[]
  readonly args: readonly A[]
  /** The calls not in the cache, one per distinct task key. */
  readonly uncached: Map<TaskKey, A>
}

/**
 * A connection to a swarm, as hosts and pages use it: register pure functions,
 * call them memoized, fan them out, follow them, cancel them. The same class
 * serves Node (`@tessera/host`) and pages (`@tessera/client`); only the parts
 * differ.
 */
export class Swarm {
  readonly #runs = new Set<{ run: JobRun; reject: (error: Error) => void }>()
  #localRuns = 0
  #cacheLookups = 0
  #cacheHits = 0
  /** Bumped by `cancel()`, so a batch still being published when it is called is cancelled too. */
  #generation = 0
  #closed = false

  constructor(private readonly parts: SwarmParts) {}

  get peer(): MeshPeer {
    return this.parts.peer
  }

  /** This peer's share of the work, when it donates: what a dashboard pauses and resizes. */
  get donor(): Donor | undefined {
    return this.parts.donor
  }

  pure<A extends KeywordArgs, R>(fn: (args: A) => R | Promise<R>, options: PureOptions = {}): SwarmFunction<A, Awaited<R>> {
    const definition = definePure(fn, options.name === undefined ? {} : { name: options.name }) as unknown as PureFunction<A, Awaited<R>>
    const jobOptions: JobOptions = options
    const call = (args: A, callOptions?: CallOptions): Promise<Awaited<R>> => {
      assertKeywordCall(definition.name, [args])
      return this.#call(definition, args, jobOptions, callOptions)
    }
    const swarmFunction = Object.assign(call, {
      definition,
      remote: (args: A, callOptions?: CallOptions) => this.#remote(definition, args, jobOptions, callOptions),
      parallel: (argsList: readonly A[], batch?: BatchOptions) => this.#parallel(definition, argsList, jobOptions, batch ?? {}),
      parallelRefs: (argsList: readonly A[], batch?: BatchOptions) =>
        this.#parallel(definition, argsList, jobOptions, batch ?? {}, 'ref') as Promise<ValueRef[]>,
      stream: (argsList: readonly A[], batch?: BatchOptions) => this.#stream(definition, argsList, jobOptions, batch ?? {}),
      submit: (args: A) => this.#submit(definition, args, jobOptions),
    })
    return swarmFunction as SwarmFunction<A, Awaited<R>>
  }

  /** The result of a submitted call, from any host, at any later time. */
  async result<R = unknown>(ref: TaskRef | string, options: CallOptions = {}): Promise<R> {
    const { job, task, key } = parseTaskRef(ref)
    if (job !== undefined) await this.parts.tracker.pin(job)
    try {
      const taskOf = new Map<TaskKey, string>(task === undefined ? [] : [[key, task]])
      const outcome = await this.#follow([{ index: 0, key }], taskOf, () => (job === undefined ? undefined : this.parts.tracker.get(job)), {
        ...options,
        onOutcome: () => {},
      })
      const first = outcome[0] as CallOutcome
      if (!first.ok) throw first.error
      return first.value as R
    } finally {
      if (job !== undefined) this.parts.tracker.unpin(job)
    }
  }

  /** Calls looked up in the result cache since this peer connected, and how many it answered. */
  get cacheUse(): { readonly lookups: number; readonly hits: number } {
    return { lookups: this.#cacheLookups, hits: this.#cacheHits }
  }

  status(): SwarmStatus {
    const presence = this.parts.peer.presence.list()
    let queued = 0
    let running = 0
    let done = 0
    let failed = 0
    const now = Date.now()
    for (const job of this.parts.tracker.openJobs()) {
      for (const task of job.openTasks()) {
        if (taskPhase(job, task, now).phase === 'running') running++
        else queued++
      }
      for (const task of job.settledLog()) {
        if (taskPhase(job, task, now).phase === 'failed') failed++
        else done++
      }
    }
    return {
      peers: presence.length,
      workers: presence.reduce((sum, p) => sum + p.workers, 0),
      queued,
      running,
      done,
      failed,
      cacheEntries: this.parts.peer.swarm.cache.size,
      cacheLookups: this.#cacheLookups,
      cacheHits: this.#cacheHits,
      executed: (this.parts.donor?.runs ?? 0) + this.#localRuns,
    }
  }

  /**
   * The swarm's jobs, newest first: open ones always, finished ones up to
   * `limit` (default 20) — achilles' cluster status, per job.
   */
  jobs(options: { readonly limit?: number } = {}): JobSummary[] {
    const now = Date.now()
    const limit = options.limit ?? 20
    const entries = [...this.parts.peer.swarm.jobs.values()].sort((a, b) => b.createdAt - a.createdAt)
    const open = entries.filter((e) => e.state === 'open')
    const finished = entries.filter((e) => e.state !== 'open').slice(0, Math.max(0, limit - open.length))
    return [...open, ...finished]
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((entry) => summarizeJob(entry, this.parts.tracker.get(entry.id), now))
  }

  /**
   * Stops one job, whoever submitted it (achilles' kill_cluster, per job):
   * donors abandon its tasks, and this host's waiting calls on it reject with
   * `CancelledError`. Returns false when no open job has that id.
   */
  async stopJob(id: string): Promise<boolean> {
    const { swarm } = this.parts.peer
    const entry = swarm.job(asJobId(id))
    if (entry === undefined || entry.state !== 'open') return false
    const index = await this.parts.tracker.pin(asJobId(id))
    index?.job.control.set('cancelled', true)
    swarm.jobs.set(id, { ...entry, state: 'cancelled' })
    this.parts.tracker.unpin(asJobId(id))
    for (const { run, reject } of [...this.#runs]) {
      if (run.jobId !== id) continue
      run.stop()
      reject(new CancelledError(`job ${id} was stopped`))
    }
    return true
  }

  /** Cancels this host's queued and running tasks: donors drop them, and waiting calls reject with `CancelledError`. */
  async cancel(): Promise<void> {
    const { swarm } = this.parts.peer
    for (const [id, entry] of swarm.jobs) {
      if (entry.submittedBy !== this.parts.peer.id || entry.state !== 'open') continue
      const index = await this.parts.tracker.pin(asJobId(id))
      index?.job.control.set('cancelled', true)
      swarm.jobs.set(id, { ...entry, state: 'cancelled' })
      this.parts.tracker.unpin(asJobId(id))
    }
    this.#generation++
    for (const { run, reject } of [...this.#runs]) {
      run.stop()
      reject(new CancelledError('cancelled by swarm.cancel()'))
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const { run, reject } of [...this.#runs]) {
      run.stop()
      reject(new CancelledError('the swarm connection closed'))
    }
    this.parts.donor?.stop()
    await this.parts.executor?.close()
    this.parts.tracker.close()
    await this.parts.peer.close()
    await this.parts.onClose?.()
  }

  async #call<A extends KeywordArgs, R>(fn: PureFunction<A, R>, args: A, options: JobOptions, callOptions?: CallOptions): Promise<R> {
    const executor = this.parts.executor
    if (executor === undefined) return this.#remote(fn, args, options, callOptions)
    const key = (this.#plan(fn, [args]).calls[0] as PlannedCall).key
    const { swarm, values } = this.parts.peer
    const cached = swarm.cached(key)
    if (cached !== undefined) {
      if (cached.kind === 'failure') throw fromErrorRecord(cached.error)
      return (await values.get(cached.result)) as R
    }
    // The executor may take over the arguments' buffers: give it a copy of its own (links resolved, as a donor would).
    const own = (await resolveValueRefs(decodeCanonical(encodeAndAddress(args, 'args').bytes), values)) as KeywordArgs
    this.#localRuns++
    const execution = await executor.run(fn, own, { timeoutMs: options.timeoutMs ?? 60_000, ...(callOptions?.signal === undefined ? {} : { signal: callOptions.signal }) })
    if (execution.kind === 'timeout') throw fromErrorRecord(execution.error)
    if (execution.kind === 'thrown') {
      swarm.cache.set(key, { kind: 'failure', error: execution.error })
      throw fromErrorRecord(execution.error)
    }
    const result = await values.put(execution.value)
    if (swarm.cache.get(key)?.kind !== 'value') swarm.cache.set(key, { kind: 'value', result })
    return execution.value as R
  }

  async #remote<A extends KeywordArgs, R>(fn: PureFunction<A, R>, args: A, options: JobOptions, callOptions?: CallOptions): Promise<R> {
    const results = await this.#parallel(fn, [args], options, { ...callOptions, settle: true })
    const first = results[0] as Settled<A, R>
    if (first.status === 'rejected') throw first.error
    return first.value
  }

  async #submit<A extends KeywordArgs, R>(fn: PureFunction<A, R>, args: A, options: JobOptions): Promise<TaskRef> {
    const plan = this.#plan(fn, [args])
    const key = (plan.calls[0] as PlannedCall).key
    const { job, taskOf } = await this.#launch(fn, plan, options)
    return formatTaskRef(job, taskOf.get(key), key)
  }

  async #parallel<A extends KeywordArgs, R>(
    fn: PureFunction<A, R>,
    argsList: readonly A[],
    options: JobOptions,
    batch: BatchOptions,
    resultsAs: 'value' | 'ref' = 'value',
  ): Promise<never> {
    const plan = this.#plan(fn, argsList)
    const { job, taskOf } = await this.#launch(fn, plan, options)
    const settled: Array<Settled<A, R>> = new Array(argsList.length)
    try {
      const outcomes = await this.#follow(plan.calls, taskOf, () => (job === undefined ? undefined : this.parts.tracker.get(job)), {
        ...batch,
        resultsAs,
        onOutcome: () => {},
        onAbort: () => this.#cancelJob(job),
      })
      outcomes.forEach((outcome, index) => {
        const a = plan.args[index] as A
        settled[index] = outcome.ok
          ? { index, args: a, status: 'fulfilled', value: outcome.value as R, cached: outcome.cached }
          : { index, args: a, status: 'rejected', error: outcome.error }
      })
    } finally {
      if (job !== undefined) this.parts.tracker.unpin(job)
    }
    if (batch.settle === true) return settled as never
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [{ index: s.index, error: s.error }] : []))
    if (failures.length > 0) throw new ParallelError(failures, argsList.length)
    return settled.map((s) => (s as { value: R }).value) as never
  }

  #stream<A extends KeywordArgs, R>(fn: PureFunction<A, R>, argsList: readonly A[], options: JobOptions, batch: BatchOptions): AsyncIterable<never> {
    const swarm = this
    return {
      async *[Symbol.asyncIterator]() {
        const plan = swarm.#plan(fn, argsList)
        const { job, taskOf } = await swarm.#launch(fn, plan, options)
        const ready: Array<Settled<A, R>> = []
        let wake: (() => void) | undefined
        let finished = false
        let failure: Error | undefined
        const following = swarm
          .#follow(plan.calls, taskOf, () => (job === undefined ? undefined : swarm.parts.tracker.get(job)), {
            ...batch,
            onAbort: () => swarm.#cancelJob(job),
            onOutcome: (call, outcome) => {
              const a = plan.args[call.index] as A
              ready.push(
                outcome.ok
                  ? { index: call.index, args: a, status: 'fulfilled', value: outcome.value as R, cached: outcome.cached }
                  : { index: call.index, args: a, status: 'rejected', error: outcome.error },
              )
              wake?.()
            },
          })
          .catch((error: Error) => (failure = error))
          .finally(() => {
            finished = true
            wake?.()
          })
        try {
          for (;;) {
            const next = ready.shift()
            if (next !== undefined) {
              if (batch.settle === true) yield next as never
              else if (next.status === 'rejected') throw next.error
              else yield { index: next.index, args: next.args, value: next.value, cached: next.cached } satisfies Streamed<A, R> as never
              continue
            }
            if (failure !== undefined) throw failure
            if (finished) return
            await new Promise<void>((resolve) => (wake = resolve))
            wake = undefined
          }
        } finally {
          await following
          if (job !== undefined) swarm.parts.tracker.unpin(job)
        }
      },
    }
  }

  /** Validates every call before anything is queued, and finds what the cache already has. */
  #plan<A extends KeywordArgs>(fn: PureFunction<A, unknown>, argsList: readonly A[]): Plan<A> {
    if (this.#closed) throw new CancelledError('the swarm connection is closed')
    const calls: PlannedCall[] = []
    const uncached = new Map<TaskKey, A>()
    argsList.forEach((args, index) => {
      assertKeywordCall(fn.name, [args])
      const { bytes, address } = encodeAndAddress(args as Value, `args[${index}]`)
      if (bytes.byteLength > this.parts.maxValueBytes) {
        throw new SizeLimitError(`args[${index}] of "${fn.name}" encode to ${bytes.byteLength} bytes, over the ${this.parts.maxValueBytes}-byte cap`)
      }
      const key = taskKeyOf(fn.address, address)
      calls.push({ index, key })
      this.#cacheLookups++
      if (this.parts.peer.swarm.cached(key) === undefined) uncached.set(key, args)
      else this.#cacheHits++
    })
    return { calls, args: argsList, uncached }
  }

  /** Publishes a job for the calls the cache lacks; nothing at all when it has them all. */
  async #launch<A extends KeywordArgs>(fn: PureFunction<A, unknown>, plan: Plan<A>, options: JobOptions): Promise<{ job: JobId | undefined; taskOf: Map<TaskKey, string> }> {
    const taskOf = new Map<TaskKey, string>()
    if (plan.uncached.size === 0) return { job: undefined, taskOf }
    const generation = this.#generation
    const { peer, tracker } = this.parts
    const id = randomJobId()
    const job = new JobDoc(id, await peer.openDoc(jobDocGuid(id)))
    const argsList = [...plan.uncached.values()]
    ;[...plan.uncached.keys()].forEach((key, i) => taskOf.set(key, String(i)))
    await submitJob(peer.swarm, peer.values, { id, fn, argsList, submittedBy: peer.id, now: Date.now(), options, job })
    await tracker.pin(id)
    if (generation !== this.#generation) {
      this.#cancelJob(id)
      tracker.unpin(id)
      throw new CancelledError('cancelled by swarm.cancel() while the job was being published')
    }
    return { job: id, taskOf }
  }

  #cancelJob(id: JobId | undefined): void {
    if (id === undefined) return
    const entry = this.parts.peer.swarm.job(id)
    this.parts.tracker.get(id)?.job.control.set('cancelled', true)
    if (entry?.state === 'open') this.parts.peer.swarm.jobs.set(id, { ...entry, state: 'cancelled' })
  }

  /** Runs a JobRun to its end, honouring the signal; resolves with every call's outcome in order. */
  #follow(
    calls: readonly PlannedCall[],
    taskOf: ReadonlyMap<TaskKey, string>,
    job: () => ReturnType<JobTracker['get']>,
    options: BatchOptions & {
      onOutcome: (call: PlannedCall, outcome: CallOutcome) => void
      onAbort?: () => void
      resultsAs?: 'value' | 'ref'
    },
  ): Promise<CallOutcome[]> {
    const outcomes: CallOutcome[] = new Array(calls.length)
    const { peer } = this.parts
    return new Promise<CallOutcome[]>((resolve, reject) => {
      const run = new JobRun({
        swarm: peer.swarm,
        values: peer.values,
        job,
        taskOf,
        calls,
        onOutcome: (call, outcome) => {
          outcomes[call.index] = outcome
          options.onOutcome(call, outcome)
        },
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.resultsAs === undefined ? {} : { resultsAs: options.resultsAs }),
        onCancelled: () => reject(new CancelledError(`job ${run.jobId ?? ''} was cancelled`)),
      })
      const entry = { run, reject }
      const signal = options.signal
      const onAbort = (): void => {
        run.stop()
        options.onAbort?.()
        reject(new CancelledError(`cancelled: ${String(signal?.reason ?? 'aborted')}`))
      }
      if (signal?.aborted === true) {
        onAbort()
        return
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#runs.add(entry)
      run
        .run()
        .then(() => resolve(outcomes), reject)
        .finally(() => {
          this.#runs.delete(entry)
          signal?.removeEventListener('abort', onAbort)
        })
    })
  }
}
