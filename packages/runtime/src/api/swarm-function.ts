import type { KeywordArgs, PureFunction, ValueRef } from '@tessera/core'
import type { BatchOptions, CallOptions } from './options.ts'
import type { Settled } from './progress.ts'
import type { TaskRef } from './task-ref.ts'

/** A value, or a `TaskRef` standing for a call's result of that type (a future), at any depth of arrays and plain objects. */
export type WithRefs<T> =
  | T
  | TaskRef
  | (T extends ArrayBufferView | ArrayBuffer | Date | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>
      ? never
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<WithRefs<U>>
        : T extends object
          ? { [K in keyof T]: WithRefs<T[K]> }
          : never)

/** Keyword arguments in which any value may be a `TaskRef`: the call waits for those calls and gets their results in their place. */
export type ArgsWithRefs<A> = { [K in keyof A]: WithRefs<A[K]> }

/** One result of `stream`, as it completes. */
export interface Streamed<A, R> {
  readonly index: number
  readonly args: A
  readonly value: R
  readonly cached: boolean
}

/**
 * A pure function registered with a swarm. Calling it is a memoized call: the
 * cache first, else computed (here when this peer has workers, otherwise on the
 * swarm). Every way of calling it is typed from the function itself.
 */
export interface SwarmFunction<A extends KeywordArgs, R> {
  (args: ArgsWithRefs<A>, options?: CallOptions): Promise<R>
  /** Computes on the swarm (the cache first), never on this peer's own workers. */
  remote(args: ArgsWithRefs<A>, options?: CallOptions): Promise<R>
  /** All results in order (Pythagoras' parallel, pywren's map). Rejects with `ParallelError` naming the failed indices. */
  parallel(argsList: ReadonlyArray<ArgsWithRefs<A>>, options?: BatchOptions & { readonly settle?: false }): Promise<R[]>
  parallel(argsList: ReadonlyArray<ArgsWithRefs<A>>, options: BatchOptions & { readonly settle: true }): Promise<Array<Settled<A, R>>>
  /**
   * Like `parallel`, but each result comes back as a link to its stored value
   * (`{ "/": address }`) and stays on the peer that computed it. Links passed as
   * arguments are resolved by the donor that runs the task, so one wave's
   * results feed the next without passing through this host (numpywren's model).
   */
  parallelRefs(argsList: ReadonlyArray<ArgsWithRefs<A>>, options?: BatchOptions & { readonly settle?: false }): Promise<ValueRef[]>
  /** Results as each completes; a failed call ends the stream with its error (or, with `settle`, is yielded). */
  stream(argsList: ReadonlyArray<ArgsWithRefs<A>>, options?: BatchOptions & { readonly settle?: false }): AsyncIterable<Streamed<A, R>>
  stream(argsList: ReadonlyArray<ArgsWithRefs<A>>, options: BatchOptions & { readonly settle: true }): AsyncIterable<Settled<A, R>>
  /**
   * Queues the call and resolves at once with a durable reference (a future):
   * `swarm.result(ref)` gets the result later, from any host, and a ref in
   * another call's arguments makes that call wait for this one's result.
   */
  submit(args: ArgsWithRefs<A>): Promise<TaskRef>
  /** `submit` for many calls, published as one job (per `MAX_TASKS_PER_JOB`); refs in order. */
  submitMany(argsList: ReadonlyArray<ArgsWithRefs<A>>): Promise<TaskRef[]>
  readonly definition: PureFunction<A, R>
}
