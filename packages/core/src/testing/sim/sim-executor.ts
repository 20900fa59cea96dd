import { assertEncodable } from '../../encoding/supported-value.ts'
import { toErrorRecord, TaskTimeoutError } from '../../errors.ts'
import type { Address } from '../../ids.ts'
import type { Execution, Executor, RunOptions } from '../../interfaces/executor.ts'
import { compilePure, explainRuntimeError, type CompiledFunction } from '../../pure/compile.ts'
import type { KeywordArgs, PureFunctionSource } from '../../pure/define-pure.ts'
import type { SimClock } from './sim-clock.ts'

export interface SimExecutorOptions {
  readonly clock: SimClock
  /** Virtual duration of the next run. */
  readonly duration: () => number
  /** Called as each run starts; returning false makes this run never finish (the peer died in it). */
  readonly onRunStart?: () => boolean
}

/** Computes real results with the real compiler, but takes virtual time to do it. */
export class SimExecutor implements Executor {
  readonly #compiled = new Map<Address, CompiledFunction>()

  constructor(private readonly options: SimExecutorOptions) {}

  async run(fn: PureFunctionSource, args: KeywordArgs, run: RunOptions): Promise<Execution> {
    if (this.options.onRunStart?.() === false) return new Promise<never>(() => {})
    let compiled = this.#compiled.get(fn.address)
    if (compiled === undefined) this.#compiled.set(fn.address, (compiled = compilePure(fn)))
    const durationMs = this.options.duration()
    const limit = Math.min(durationMs, run.timeoutMs)
    const elapsed = new Promise<'elapsed'>((resolve) => this.options.clock.setTimeout(() => resolve('elapsed'), limit))
    const result = (async (): Promise<Execution> => {
      try {
        const value = await compiled(args)
        assertEncodable(value, 'result')
        return { kind: 'value', value, durationMs }
      } catch (error) {
        return { kind: 'thrown', error: toErrorRecord(explainRuntimeError(fn, error)), durationMs }
      }
    })()
    // The run takes its virtual duration; a function that has not settled by then counts as hung.
    const first = await Promise.race([result, elapsed])
    if (durationMs <= run.timeoutMs) {
      if (first !== 'elapsed') await elapsed
      const settled = await Promise.race([result, Promise.resolve(undefined)])
      if (settled !== undefined) return settled
    }
    const error = toErrorRecord(new TaskTimeoutError(`"${fn.name}" ran past its ${run.timeoutMs} ms limit`))
    return { kind: 'timeout', error, durationMs: run.timeoutMs }
  }

  async close(): Promise<void> {
    this.#compiled.clear()
  }
}
