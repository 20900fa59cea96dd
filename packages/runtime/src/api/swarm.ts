import { jobResults, type JobResult } from './job-results.ts'
import { jobTimes, type JobTimes, type JobTimesOptions } from './job-times.ts'
import {
  assertKeywordCall,
  CancelledError,
  definePure,
  definePureSource,
  type Donor,
  type JobOptions,
  type KeywordArgs,
  type PeerPort,
  type PureFunction,
  type ValueRef,
} from '@tessera/core'
import { Calls } from './calls.ts'
import { functionJobOptions } from './job-defaults.ts'
import { JobControl } from './job-control.ts'
import { RememberedCounts, type JobSummary } from './job-summary.ts'
import type { BatchOptions, CallOptions, PureOptions, SwarmStatus } from './options.ts'
import type { SwarmFunction } from './swarm-function.ts'
import type { SwarmParts } from './swarm-parts.ts'
import { listJobs, swarmStatus } from './swarm-status.ts'
import { parseTaskRef, type TaskRef } from './task-ref.ts'
import { TaskGraph, type BoundFunction } from './task-graph.ts'

export type { SwarmParts } from './swarm-parts.ts'

/**
 * A connection to a swarm, as hosts and pages use it: register pure functions,
 * call them memoized, fan them out, follow them, cancel them. The same class
 * serves Node (`@tessera/host`), pages (`@tessera/client`) and the simulator;
 * only the parts differ.
 */
export class Swarm<P extends PeerPort = PeerPort> {
  readonly #control: JobControl
  readonly #calls: Calls
  readonly #counts: RememberedCounts
  /** Each function this swarm handed out, by its definition, for `graph().add`. */
  readonly #bound = new WeakMap<object, BoundFunction>()
  #closed = false

  constructor(private readonly parts: SwarmParts<P>) {
    this.#control = new JobControl(parts)
    this.#calls = new Calls(parts, this.#control)
    this.#counts = new RememberedCounts(parts.tracker, () => parts.clock.now())
  }

  get peer(): P {
    return this.parts.peer
  }

  /** This peer's share of the work, when it donates: what a dashboard pauses and resizes. */
  get donor(): Donor | undefined {
    return this.parts.donor
  }

  pure<A extends KeywordArgs, R>(fn: (args: A) => R | Promise<R>, options: PureOptions = {}): SwarmFunction<A, Awaited<R>> {
    const definition = definePure(fn, options.name === undefined ? {} : { name: options.name }) as unknown as PureFunction<A, Awaited<R>>
    return this.#bind(definition, options)
  }

  /**
   * A pure function given as source text only (what clients in other
   * languages send): checked as `pure` checks a function, never evaluated
   * here, so it runs only on other peers' workers.
   */
  pureSource(source: string, options: PureOptions & { readonly name: string }): SwarmFunction<KeywordArgs, unknown> {
    return this.#bind(definePureSource(options.name, source), options)
  }

  #bind<A extends KeywordArgs, R>(definition: PureFunction<A, R>, options: PureOptions): SwarmFunction<A, R> {
    const { name: _name, ...own } = options
    const jobOptions: JobOptions = functionJobOptions(this.parts.jobDefaults, withoutUndefined(own))
    const calls = this.#calls
    const call = (args: A, callOptions?: CallOptions): Promise<R> => {
      assertKeywordCall(definition.name, [args])
      return calls.call(definition, args, jobOptions, callOptions)
    }
    const swarmFunction = Object.assign(call, {
      definition,
      remote: (args: A, callOptions?: CallOptions) => calls.remote(definition, args, jobOptions, callOptions),
      parallel: (argsList: readonly A[], batch?: BatchOptions) => calls.parallel(definition, argsList, jobOptions, batch ?? {}),
      parallelRefs: (argsList: readonly A[], batch?: BatchOptions) =>
        calls.parallel(definition, argsList, jobOptions, batch ?? {}, 'ref') as Promise<ValueRef[]>,
      stream: (argsList: readonly A[], batch?: BatchOptions) => calls.stream(definition, argsList, jobOptions, batch ?? {}),
      submit: (args: A) => calls.submit(definition, args, jobOptions),
      submitMany: (argsList: readonly A[]) => calls.submitMany(definition, argsList, jobOptions),
    })
    // Keyed by the definition (a fresh object per binding), not the function: wrappers that copy
    // a function's properties (`tessera run` adds progress bars and call defaults so) carry it too.
    this.#bound.set(definition, { definition: definition as unknown as PureFunction<KeywordArgs, unknown>, options: jobOptions })
    return swarmFunction as unknown as SwarmFunction<A, R>
  }

  /** A ref back from its printable form (`String(ref)`), to pass as an argument or to `result`; `TypeError` for anything else. */
  ref(text: string): TaskRef {
    return parseTaskRef(text)
  }

  /**
   * A graph of calls to publish at once: `graph.add(f, args)` returns each
   * call's ref before anything is published, to use in later calls'
   * arguments; `await graph.submit()` publishes them all (a graph of 100,000
   * calls in seconds) and returns their refs.
   */
  graph(): TaskGraph {
    const bound = (fn: unknown): BoundFunction | undefined => {
      const definition: unknown = typeof fn === 'function' ? (fn as { definition?: unknown }).definition : undefined
      return typeof definition === 'object' && definition !== null ? this.#bound.get(definition) : undefined
    }
    return new TaskGraph(bound, this.#calls)
  }

  /** The result of a submitted call, from any host, at any later time. */
  result<R = unknown>(ref: TaskRef | string, options: CallOptions = {}): Promise<R> {
    return this.#calls.result<R>(ref, options)
  }

  /** The addresses of submitted calls' results, in order, without fetching the values here (`ParallelError` if some failed). */
  resultRefs(refs: ReadonlyArray<TaskRef | string>, options: Pick<BatchOptions, 'signal' | 'onProgress'> = {}): Promise<ValueRef[]> {
    return this.#calls.resultRefs(refs, options)
  }

  /** Every call of a job, in task order, by the job's id (`tessera jobs` lists them), from any host at any later time; without a `signal`, its tasks get 30 s to arrive. */
  jobResults(job: string, options: CallOptions = {}): Promise<JobResult[]> {
    return jobResults(this.parts, this.#control, job, options)
  }

  /**
   * Where the donors' time went in these jobs (ids from `jobs()` or a ref's
   * `job`): their runs' compute time and the time their workers waited for
   * argument values, summed over the jobs' reports, and the runs per peer.
   */
  jobTimes(jobs: readonly string[], options: JobTimesOptions = {}): Promise<JobTimes> {
    return jobTimes(this.parts, jobs, options)
  }

  /** Calls looked up in the result cache since this peer connected, and how many it answered. */
  get cacheUse(): { readonly lookups: number; readonly hits: number } {
    return { lookups: this.#calls.counters.cacheLookups, hits: this.#calls.counters.cacheHits }
  }

  status(): SwarmStatus {
    const { cacheLookups, cacheHits, localRuns } = this.#calls.counters
    const { peer, tracker, donor, clock } = this.parts
    return swarmStatus({ peer, tracker, donor, now: clock.now(), cacheLookups, cacheHits, localRuns })
  }

  /**
   * The swarm's jobs, newest first: open ones always, finished ones up to
   * `limit` (default 20) — achilles' cluster status, per job.
   */
  jobs(options: { readonly limit?: number } = {}): JobSummary[] {
    return listJobs(this.parts.peer, this.parts.tracker, this.#counts, options.limit ?? 20)
  }

  /**
   * Stops (cancels) one job (achilles' kill_cluster, per job): donors abandon
   * its tasks, and this host's waiting calls on it reject with
   * `CancelledError`. Only its submitter's key (this peer's or a `controlKeys`
   * one) or a room admin's may: `JobOwnerError` otherwise. Returns false when
   * no open job has that id.
   */
  stopJob(id: string): Promise<boolean> {
    return this.#control.stopJob(id)
  }

  /** Cancels this host's queued and running tasks: donors drop them, and waiting calls reject with `CancelledError`. */
  cancel(): Promise<void> {
    return this.#control.cancelOwn()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#calls.close()
    this.#counts.close()
    this.#control.rejectAll(new CancelledError('the swarm connection closed'))
    this.parts.donor?.stop()
    await this.parts.executor?.close()
    this.parts.tracker.close()
    await this.parts.peer.close()
    await this.parts.onClose?.()
  }
}

/** Options as given, without the keys set to undefined (which would hide a connection's defaults). */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>
}
