import { encodeAndAddress, verifyBytes } from '../address.ts'
import { decodeCanonical } from '../encoding/canonical.ts'
import { BlobNotFoundError, fromErrorRecord } from '../errors.ts'
import type { Address, TaskKey } from '../ids.ts'
import type { BlobStore } from '../interfaces/blob-store.ts'
import type { Executor } from '../interfaces/executor.ts'
import { assertKeywordCall, type KeywordArgs, type PureFunction } from '../pure/define-pure.ts'
import { taskKeyOf } from '../task-key.ts'
import type { ResultCache } from './result-cache.ts'

export interface MemoizedRunnerOptions {
  readonly cache: ResultCache
  readonly blobs: BlobStore
  readonly executor: Executor
  readonly timeoutMs?: number
}

/**
 * Memoized calls on one machine: the cache first, else run, store and cache.
 * A thrown error is cached too, and every later caller gets it again until
 * `forgetFailure`. The swarm does the same across peers.
 */
export class MemoizedRunner {
  constructor(private readonly options: MemoizedRunnerOptions) {}

  /** Checks the call synchronously (TypeError for positional or non-object arguments), then runs it. */
  call<A extends KeywordArgs, R>(fn: PureFunction<A, R>, ...callArgs: [A]): Promise<R> {
    assertKeywordCall(fn.name, callArgs)
    const [args] = callArgs
    const { bytes: argBytes, address: argsAddress } = encodeAndAddress(args, 'args')
    return this.#call(fn, args, argBytes, taskKeyOf(fn.address, argsAddress), argsAddress)
  }

  /** The task key a call would have, without running it. */
  keyOf(fn: PureFunction<never, unknown>, args: KeywordArgs): TaskKey {
    return taskKeyOf(fn.address, encodeAndAddress(args, 'args').address)
  }

  forgetFailure(key: TaskKey): Promise<boolean> {
    return this.options.cache.forgetFailure(key)
  }

  async #call<A extends KeywordArgs, R>(
    fn: PureFunction<A, R>,
    args: A,
    argBytes: Uint8Array,
    key: TaskKey,
    argsAddress: Address,
  ): Promise<R> {
    const { cache, blobs, executor } = this.options
    const cached = await cache.get(key)
    if (cached?.kind === 'failure') throw fromErrorRecord(cached.error)
    if (cached?.kind === 'value') {
      const bytes = await blobs.get(cached.result)
      if (bytes === undefined) throw new BlobNotFoundError(`cached result ${cached.result} is missing from the store`)
      verifyBytes(cached.result, bytes)
      return decodeCanonical(bytes) as R
    }
    await blobs.put(argsAddress, argBytes)
    // A worker pool may take over the buffers of what it runs: the caller keeps theirs.
    const execution = await executor.run(fn, decodeCanonical(argBytes) as KeywordArgs, { timeoutMs: this.options.timeoutMs ?? 60_000 })
    if (execution.kind === 'timeout') throw fromErrorRecord(execution.error)
    if (execution.kind === 'thrown') {
      await cache.set(key, { kind: 'failure', error: execution.error })
      throw fromErrorRecord(execution.error)
    }
    const { bytes, address } = encodeAndAddress(execution.value, 'result')
    await blobs.put(address, bytes)
    await cache.set(key, { kind: 'value', result: address })
    return execution.value as R
  }
}
