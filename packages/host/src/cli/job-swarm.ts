import type { KeywordArgs } from '@tessera/core'
import type { BatchOptions, CallOptions, PureOptions, Swarm, SwarmFunction, TaskLog } from '@tessera/runtime'
import type { ModuleScope } from './module-scope.ts'
import type { ProgressReporter } from './progress-bar.ts'
import { selfContained } from './self-contained.ts'
import { formatTaskLog } from './task-log-line.ts'

export interface JobSwarmOptions {
  /** The job's bundle: pure functions defined in it carry the helpers they call. */
  readonly scope?: ModuleScope
  /** Where `parallel` and `stream` batches show their progress. */
  readonly progress?: ProgressReporter
  /** Every call forgets cached failures and runs them again (`tessera run --retry-failed`). */
  readonly retryFailed?: boolean
  /** Every call fails with `NoWorkersError` once nobody in the room has had workers for `noWorkersMs` (`tessera run --fail-if-no-workers`). */
  readonly noWorkers?: 'wait' | 'fail'
  readonly noWorkersMs?: number
}

/** What the command line sets for every call a job makes, unless the job sets it itself. */
type CallDefaults = Pick<CallOptions, 'retryFailed' | 'noWorkers' | 'noWorkersMs'>

/** Methods of a swarm function that take a list and batch options as their second argument. */
const BATCH_METHODS = ['parallel', 'stream', 'parallelRefs'] as const

/**
 * The swarm as a job module sees it: the same object, except that `pure`
 * makes functions self-contained with their helpers from the bundle, and their
 * batches report progress to the CLI's bar.
 */
export function jobSwarm(swarm: Swarm, options: JobSwarmOptions): Swarm {
  const defaults: CallDefaults = {
    ...(options.retryFailed === true ? { retryFailed: true } : {}),
    ...(options.noWorkers === undefined ? {} : { noWorkers: options.noWorkers }),
    ...(options.noWorkersMs === undefined ? {} : { noWorkersMs: options.noWorkersMs }),
  }
  const pure = <A extends KeywordArgs, R>(fn: (args: A) => R | Promise<R>, pureOptions: PureOptions = {}): SwarmFunction<A, Awaited<R>> => {
    const name = pureOptions.name ?? (fn.name !== '' ? fn.name : 'anonymous')
    const shipped = options.scope === undefined ? fn : selfContained(fn, name, options.scope)
    const registered = swarm.pure(shipped, { ...pureOptions, name })
    const defaulted = Object.keys(defaults).length === 0 ? registered : withCallDefaults(registered, defaults)
    return options.progress === undefined ? defaulted : withProgress(defaulted, name, options.progress)
  }
  return new Proxy(swarm, {
    get(target, property) {
      if (property === 'pure') return pure
      const value: unknown = Reflect.get(target, property, target)
      // Swarm keeps private fields: its methods must run with the real object as `this`.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

function withProgress<A extends KeywordArgs, R>(fn: SwarmFunction<A, R>, label: string, progress: ProgressReporter): SwarmFunction<A, R> {
  const printing = <O extends CallOptions>(options: O): O => ({
    ...options,
    onLog: (line: TaskLog) => {
      options.onLog?.(line)
      for (const text of formatTaskLog(label, line)) progress.log(text)
    },
  })
  const call = (args: A, callOptions: CallOptions = {}): Promise<R> => fn(args, printing(callOptions))
  const wrapped = Object.assign(call, fn) as unknown as Record<string, unknown>
  wrapped['remote'] = (args: A, callOptions: CallOptions = {}) => fn.remote(args, printing(callOptions))
  for (const method of BATCH_METHODS) {
    const original = (fn as unknown as Record<string, unknown>)[method]
    if (typeof original !== 'function') continue
    wrapped[method] = (argsList: readonly A[], batch: BatchOptions = {}) => {
      const bar = progress.batch(label)
      return (original as (list: readonly A[], options: BatchOptions) => unknown)(argsList, {
        ...printing(batch),
        onProgress: (p) => {
          batch.onProgress?.(p)
          bar.update(p)
        },
      })
    }
  }
  return wrapped as unknown as SwarmFunction<A, R>
}

/** The same function, with these options in every call's, unless the job set them itself. */
function withCallDefaults<A extends KeywordArgs, R>(fn: SwarmFunction<A, R>, defaults: CallDefaults): SwarmFunction<A, R> {
  const call = (args: A, callOptions: CallOptions = {}): Promise<R> => fn(args, { ...defaults, ...callOptions })
  const wrapped = Object.assign(call, fn) as unknown as Record<string, unknown>
  wrapped['remote'] = (args: A, callOptions: CallOptions = {}) => fn.remote(args, { ...defaults, ...callOptions })
  for (const method of BATCH_METHODS) {
    const original = (fn as unknown as Record<string, unknown>)[method]
    if (typeof original !== 'function') continue
    wrapped[method] = (argsList: readonly A[], batch: BatchOptions = {}) =>
      (original as (list: readonly A[], options: BatchOptions) => unknown)(argsList, { ...defaults, ...batch })
  }
  return wrapped as unknown as SwarmFunction<A, R>
}
