import { ExecutorClosedError } from '../errors.ts'
import type { Execution, Executor, RunOptions } from '../interfaces/executor.ts'
import type { KeywordArgs, PureFunctionSource } from '../pure/define-pure.ts'
import { CompiledFunctions, invokePure, timeoutRecord } from '../pure/invoke.ts'

/**
 * Runs functions on the calling thread. For tests and the simulator: a timeout
 * abandons an async function, but nothing can stop a synchronous endless loop on
 * the same thread; the worker-based executors terminate their worker instead.
 */
export class MemoryExecutor implements Executor {
  readonly #compiled = new CompiledFunctions()
  #closed = false

  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    if (this.#closed) throw new ExecutorClosedError('executor is closed')
    const started = performance.now()
    const elapsed = (): number => performance.now() - started
    const compiled = this.#compiled.get(fn)
    let timer: unknown
    const timeout = new Promise<Execution>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout', error: timeoutRecord(fn, options.timeoutMs), durationMs: elapsed() }), options.timeoutMs)
    })
    const outcome = invokePure(fn, compiled, args).then((ended): Execution => ({ ...ended, durationMs: elapsed() }))
    try {
      return await Promise.race([outcome, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#compiled.clear()
  }
}
