import type { Execution, Executor, RunOptions } from '../../interfaces/executor.ts'
import type { KeywordArgs, PureFunctionSource } from '../../pure/define-pure.ts'
import { CompiledFunctions, invokePure, timeoutRecord } from '../../pure/invoke.ts'
import type { SimClock } from './sim-clock.ts'

export interface SimExecutorOptions {
  readonly clock: SimClock
  /** Virtual duration of the next run, which may depend on the function run. */
  readonly duration: (fn: PureFunctionSource) => number
  /** Called as each run starts; returning false makes this run never finish (the peer died in it). */
  readonly onRunStart?: () => boolean
}

/** Computes real results with the real compiler, but takes virtual time to do it. */
export class SimExecutor implements Executor {
  readonly #compiled = new CompiledFunctions()

  constructor(private readonly options: SimExecutorOptions) {}

  async run(fn: PureFunctionSource, args: KeywordArgs, run: RunOptions): Promise<Execution> {
    if (this.options.onRunStart?.() === false) return new Promise<never>(() => {})
    const compiled = this.#compiled.get(fn)
    const durationMs = this.options.duration(fn)
    const elapsed = new Promise<'elapsed'>((resolve) =>
      this.options.clock.setTimeout(() => resolve('elapsed'), Math.min(durationMs, run.timeoutMs)),
    )
    const result = invokePure(fn, compiled, args)
    // The run takes its virtual duration; a function that has not settled by then counts as hung.
    const first = await Promise.race([result, elapsed])
    if (durationMs <= run.timeoutMs) {
      if (first !== 'elapsed') await elapsed
      const settled = await Promise.race([result, Promise.resolve(undefined)])
      if (settled !== undefined) return { ...settled, durationMs }
    }
    return { kind: 'timeout', error: timeoutRecord(fn, run.timeoutMs), durationMs: run.timeoutMs }
  }

  async close(): Promise<void> {
    this.#compiled.clear()
  }
}
