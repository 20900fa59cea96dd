import {
  CancelledError,
  cacheOutcome,
  capErrorRecord,
  signOutcomes,
  decodeCanonical,
  encodeAndAddress,
  fromErrorRecord,
  ParallelError,
  resolveValueRefs,
  type JobOptions,
  type KeywordArgs,
  type PeerId,
  type PureFunction,
  type JobId,
  type TaskKey,
  type TaskLogs,
  type ValueRef,
  boundTaskLogs,
} from '@tessera/core'
import { followCalls } from './follow.ts'
import type { JobControl } from './job-control.ts'
import type { CallOutcome, PlannedCall } from './job-run.ts'
import { launchJob, planCalls, prepareCall, type Launched, type Plan, type PreparedCall } from './launch.ts'
import type { BatchOptions, CallOptions } from './options.ts'
import type { Settled } from './progress.ts'
import type { Streamed } from './swarm-function.ts'
import type { SwarmParts } from './swarm-parts.ts'
import { formatTaskRef, parseTaskRef, type TaskRef } from './task-ref.ts'
import { cachePolicyFor } from './cache-policy.ts'
import { safeLogText, type RunLog, type TaskLog } from './task-log.ts'

/** Refs a host remembers having submitted: two graphs of 100,000 calls, at about 250 bytes each. */
const MAX_REMEMBERED_REFS = 200_000

/** What this peer has asked of the cache and run itself since it connected. */
export interface CallCounters {
  cacheLookups: number
  cacheHits: number
  localRuns: number
}

/**
 * Every way of calling a pure function: plan the calls against the cache,
 * launch a job for the rest, follow it to its outcomes.
 */
export class Calls {
  readonly counters: CallCounters = { cacheLookups: 0, cacheHits: 0, localRuns: 0 }
  /** Where this host published each call it submitted: refs to them are known, and a bare key finds its job. */
  readonly #submitted = new Map<TaskKey, TaskRef>()
  /** Made once: a memoized hit plans its call on every call, and a closure per call costs as much as the lookup. */
  readonly #isSubmitted = (key: TaskKey): boolean => this.#submitted.has(key)
  #closed = false

  constructor(
    private readonly parts: SwarmParts,
    private readonly control: JobControl,
  ) {}

  close(): void {
    this.#closed = true
  }

  /** A memoized call: the cache, else this peer's own workers (or the swarm's when it has none). */
  async call<A extends KeywordArgs, R>(fn: PureFunction<A, R>, args: A, options: JobOptions, callOptions?: CallOptions): Promise<R> {
    const executor = this.parts.executor
    if (executor === undefined) return this.remote(fn, args, options, callOptions)
    const prepared = prepareCall(fn.name, args, 'args[0]')
    if (prepared.refs.length > 0) {
      // It waits for its dependencies: a donor (this peer's own, or another) runs it once they have results.
      const [first] = (await this.parallel(fn, [args], options, { ...callOptions, settle: true })) as Array<Settled<A, R>>
      if (first?.status === 'rejected') throw first.error
      return (first as { value: R }).value
    }
    const plan = this.#plan(fn, [args], options, callOptions?.retryFailed === true, undefined, [prepared])
    const key = (plan.calls[0] as PlannedCall).key
    const { swarm, values, identity } = this.parts.peer
    const policy = plan.policy ?? cachePolicyFor(this.parts, options)
    const cached = plan.found.get(key) ?? (swarm.cacheTreeRoots().length > 0 ? await values.compacted.cached(key, policy) : undefined)
    if (cached !== undefined) {
      if (cached.kind === 'failure') throw fromErrorRecord(cached.error)
      const atHand = values.bytesAtHand(cached.result)
      return (atHand !== undefined ? decodeCanonical(atHand) : await values.get(cached.result)) as R
    }
    // The executor may take over the arguments' buffers: give it a copy of its own (links resolved, as a donor would).
    const own = (await resolveValueRefs(decodeCanonical(encodeAndAddress(args, 'args').bytes), values)) as KeywordArgs
    this.counters.localRuns++
    const execution = await executor.run(fn, own, {
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(callOptions?.signal === undefined ? {} : { signal: callOptions.signal }),
    })
    if (execution.kind !== 'timeout' && execution.logs !== undefined && callOptions?.onLog !== undefined) {
      deliverLogs(callOptions.onLog, args, identity.peer, execution.logs)
    }
    if (execution.kind === 'timeout') throw fromErrorRecord(execution.error)
    // The same merge rule as every other cache writer: a value that arrived meanwhile stays, and so does
    // another outcome with more subjects behind it than this peer alone.
    const subjects = this.parts.tracker.subjects
    const subjectOf = (peer: PeerId): string | undefined => subjects.subjectOf(peer)
    if (execution.kind === 'thrown') {
      const error = capErrorRecord(execution.error)
      const [proof] = signOutcomes(identity, [{ key, outcome: { kind: 'thrown', error } }], { remember: true })
      cacheOutcome(swarm, key, { kind: 'failure', error, proofs: [{ peer: identity.peer, ...proof! }] }, subjectOf)
      throw fromErrorRecord(execution.error)
    }
    const result = await values.put(execution.value, 'value', 'result')
    const [proof] = signOutcomes(identity, [{ key, outcome: { kind: 'value', result } }], { remember: true })
    cacheOutcome(swarm, key, { kind: 'value', result, proofs: [{ peer: identity.peer, ...proof! }] }, subjectOf)
    return execution.value as R
  }

  async remote<A extends KeywordArgs, R>(fn: PureFunction<A, R>, args: A, options: JobOptions, callOptions?: CallOptions): Promise<R> {
    // Another peer computes it, as documented: this peer's own donor leaves the job alone.
    const results = (await this.parallel(fn, [args], options, { ...callOptions, settle: true }, 'value', 'elsewhere')) as Array<Settled<A, R>>
    const first = results[0] as Settled<A, R>
    if (first.status === 'rejected') throw first.error
    return first.value
  }

  async submit<A extends KeywordArgs, R>(fn: PureFunction<A, R>, args: A, options: JobOptions): Promise<TaskRef> {
    return (await this.submitMany(fn, [args], options))[0] as TaskRef
  }

  /**
   * Publishes the calls (those the cache lacks) without following them, and
   * returns a ref to each, in order. `alsoKnown`: keys of a graph published
   * with these, which their arguments may name.
   */
  async submitMany<A extends KeywordArgs, R>(
    fn: PureFunction<A, R>,
    argsList: readonly A[],
    options: JobOptions,
    alsoKnown?: (key: TaskKey) => boolean,
    prepared?: readonly PreparedCall[],
  ): Promise<TaskRef[]> {
    const plan = this.#plan(fn, argsList, options, false, alsoKnown, prepared)
    const launched = await launchJob(this.parts, this.control, fn, plan, options)
    const placed = new Map<TaskKey, TaskRef>()
    for (const { job, taskOf } of launched.parts) {
      this.parts.tracker.unpin(job)
      for (const [key, task] of taskOf) placed.set(key, formatTaskRef(job, task, key))
    }
    for (const ref of placed.values()) this.#remember(ref)
    return plan.calls.map(({ key }) => placed.get(key) ?? this.#submitted.get(key) ?? formatTaskRef(undefined, undefined, key))
  }

  #remember(ref: TaskRef): void {
    // Bounded: a host that submits forever forgets its oldest refs (they stay valid: the cache keeps their outcomes).
    if (this.#submitted.size >= MAX_REMEMBERED_REFS) this.#submitted.delete(this.#submitted.keys().next().value as TaskKey)
    this.#submitted.set(ref.key, ref)
  }

  /** The result of a submitted call, from any host, at any later time. */
  async result<R>(ref: TaskRef | string, options: CallOptions): Promise<R> {
    const outcome = (await this.#follow([ref], options, 'value'))[0] as CallOutcome
    if (!outcome.ok) throw outcome.error
    return outcome.value as R
  }

  /**
   * The addresses of many submitted calls' results, in order, without fetching
   * them here (a result stays with the peers that hold it): what BigMatrix
   * builds a matrix from. Rejects with `ParallelError` when some failed.
   */
  async resultRefs(refs: ReadonlyArray<TaskRef | string>, options: Pick<BatchOptions, 'signal' | 'onProgress'>): Promise<ValueRef[]> {
    const outcomes = await this.#follow(refs, options, 'ref')
    const failures = outcomes.flatMap((o, index) => (o.ok ? [] : [{ index, error: o.error }]))
    if (failures.length > 0) {
      const results = outcomes.map((o) => (o.ok ? o.value : undefined))
      throw new ParallelError(failures, refs.length, results)
    }
    return outcomes.map((o) => (o as { value: ValueRef }).value)
  }

  async #follow(refs: ReadonlyArray<TaskRef | string>, options: BatchOptions, resultsAs: 'value' | 'ref'): Promise<CallOutcome[]> {
    const { tracker } = this.parts
    const groups = new Map<JobId | undefined, Map<TaskKey, string>>()
    const calls = refs.map((ref, index) => {
      const parsed = parseTaskRef(ref)
      // A bare key (a graph node printed before it was published) finds its job when this host published it.
      const { job, task, key } = parsed.job === undefined ? (this.#submitted.get(parsed.key) ?? parsed) : parsed
      let taskOf = groups.get(job)
      if (taskOf === undefined) groups.set(job, (taskOf = new Map()))
      if (task !== undefined) taskOf.set(key, task)
      return { index, key }
    })
    const jobs = [...groups.keys()].filter((job): job is JobId => job !== undefined)
    await Promise.all(jobs.map((job) => tracker.pin(job)))
    try {
      const launched = { parts: jobs.map((job) => ({ job, taskOf: groups.get(job) as Map<TaskKey, string> })) }
      return await followCalls(this.parts, this.control, calls, launched, { ...options, resultsAs, policy: cachePolicyFor(this.parts, {}) })
    } finally {
      for (const job of jobs) tracker.unpin(job)
    }
  }

  async parallel<A extends KeywordArgs, R>(
    fn: PureFunction<A, R>,
    argsList: readonly A[],
    options: JobOptions,
    batch: BatchOptions,
    resultsAs: 'value' | 'ref' = 'value',
    placement: 'anywhere' | 'elsewhere' = 'anywhere',
  ): Promise<unknown[]> {
    const plan = this.#plan(fn, argsList, options, batch.retryFailed === true)
    const launched = await launchJob(this.parts, this.control, fn, plan, options, placement)
    const settled: Array<Settled<A, R>> = new Array(argsList.length)
    try {
      const outcomes = await followCalls(this.parts, this.control, plan.calls, launched, {
        ...batch,
        ...runLogsOf(plan, batch),
        policy: cachePolicyFor(this.parts, options),
        resultsAs,
        placement,
        onAbort: () => void this.#cancel(launched),
      })
      outcomes.forEach((outcome, index) => (settled[index] = settledOf(plan, index, outcome)))
    } finally {
      this.#unpin(launched)
    }
    if (batch.settle === true) return settled
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [{ index: s.index, error: s.error }] : []))
    if (failures.length > 0) {
      const results = new Array<unknown>(argsList.length)
      for (const s of settled) if (s.status === 'fulfilled') results[s.index] = s.value
      throw new ParallelError(failures, argsList.length, results)
    }
    return settled.map((s) => (s as { value: R }).value)
  }

  stream<A extends KeywordArgs, R>(fn: PureFunction<A, R>, argsList: readonly A[], options: JobOptions, batch: BatchOptions): AsyncIterable<Streamed<A, R> | Settled<A, R>> {
    const calls = this
    return {
      async *[Symbol.asyncIterator]() {
        const plan = calls.#plan(fn, argsList, options, batch.retryFailed === true)
        const launched = await launchJob(calls.parts, calls.control, fn, plan, options)
        const ready: Array<Settled<A, R>> = []
        let wake: (() => void) | undefined
        let finished = false
        let failure: Error | undefined
        const following = followCalls(calls.parts, calls.control, plan.calls, launched, {
          ...batch,
          ...runLogsOf(plan, batch),
          policy: cachePolicyFor(calls.parts, options),
          onAbort: () => void calls.#cancel(launched),
          onOutcome: (call, outcome) => {
            ready.push(settledOf(plan, call.index, outcome))
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
              if (batch.settle === true) yield next
              else if (next.status === 'rejected') throw next.error
              else yield { index: next.index, args: next.args, value: next.value, cached: next.cached } satisfies Streamed<A, R>
              continue
            }
            if (failure !== undefined) throw failure
            if (finished) return
            await new Promise<void>((resolve) => (wake = resolve))
            wake = undefined
          }
        } finally {
          await following
          calls.#unpin(launched)
        }
      },
    }
  }

  #plan<A extends KeywordArgs>(
    fn: PureFunction<A, unknown>,
    argsList: readonly A[],
    options: JobOptions,
    retryFailed = false,
    alsoKnown?: (key: TaskKey) => boolean,
    prepared?: readonly PreparedCall[],
  ): Plan<A> {
    if (this.#closed) throw new CancelledError('the swarm connection is closed')
    const known = alsoKnown === undefined ? this.#isSubmitted : (key: TaskKey): boolean => this.#submitted.has(key) || alsoKnown(key)
    const plan = planCalls(this.parts, fn, argsList, cachePolicyFor(this.parts, options), retryFailed, known, prepared)
    this.counters.cacheLookups += plan.calls.length
    this.counters.cacheHits += plan.hits
    return plan
  }

  /** Cancels every job of a batch that is still open. */
  async #cancel(launched: Launched): Promise<void> {
    for (const { job } of launched.parts) {
      if (this.parts.peer.swarm.job(job)?.state === 'open') await this.control.cancel(job)
    }
  }

  #unpin(launched: Launched): void {
    for (const { job } of launched.parts) this.parts.tracker.unpin(job)
  }
}

function settledOf<A, R>(plan: Plan<A>, index: number, outcome: CallOutcome): Settled<A, R> {
  const args = plan.args[index] as A
  return outcome.ok
    ? { index, args, status: 'fulfilled', value: outcome.value as R, cached: outcome.cached }
    : { index, args, status: 'rejected', error: outcome.error }
}

/** `onLog` as the job runs see it: each line with its call's index and arguments added. */
function runLogsOf<A extends KeywordArgs>(plan: Plan<A>, batch: BatchOptions): { onRunLog?: (call: PlannedCall, line: RunLog) => void } {
  const onLog = batch.onLog
  if (onLog === undefined) return {}
  return { onRunLog: (call, line) => onLog({ ...line, index: call.index, args: plan.args[call.index] as KeywordArgs }) }
}

/** A local run's output, checked and bounded as a report's would be. */
function deliverLogs(onLog: (line: TaskLog) => void, args: KeywordArgs, peer: PeerId, logs: TaskLogs): void {
  const bounded = boundTaskLogs(logs)
  if (bounded === undefined) return
  bounded.lines.forEach((line, i) =>
    onLog({ index: 0, args, stream: line.stream, text: safeLogText(line.text), peer, truncated: bounded.truncated && i === bounded.lines.length - 1 }),
  )
}
