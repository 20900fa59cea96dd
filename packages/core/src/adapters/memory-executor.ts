import { toErrorRecord, ExecutorClosedError, TaskTimeoutError } from '../errors.ts'
import { assertEncodable } from '../encoding/supported-value.ts'
import type { Address } from '../ids.ts'
import type { Execution, Executor, RunOptions } from '../interfaces/executor.ts'
import { compilePure, explainRuntimeError, type CompiledFunction } from '../pure/compile.ts'
import type { KeywordArgs, PureFunctionSource } from '../pure/define-pure.ts'

/**
 * Runs functions on the calling thread. For tests and the simulator: a timeout
 * abandons an async function, but nothing can stop a synchronous endless loop on
 * the same thread; the worker-based executors terminate their worker instead.
 */
export class MemoryExecutor implements Executor {
  readonly #compiled = new Map<Address, CompiledFunction>()
  #closed = false

  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    if (this.#closed) throw new ExecutorClosedError('executor is closed')
    const started = performance.now()
    const elapsed = (): number => performance.now() - started
    let compiled = this.#compiled.get(fn.address)
    if (compiled === undefined) {
      compiled = compilePure(fn)
      this.#compiled.set(fn.address, compiled)
    }
    const call = compiled
    let timer: unknown
    const timeout = new Promise<Execution>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          kind: 'timeout',
          error: toErrorRecord(new TaskTimeoutError(`"${fn.name}" ran past its ${options.timeoutMs} ms limit`)),
          durationMs: elapsed(),
        })
      }, options.timeoutMs)
    })
    const outcome = (async (): Promise<Execution> => {
      try {
        const value = await call(args)
        assertEncodable(value, 'result')
        return { kind: 'value', value, durationMs: elapsed() }
      } catch (error) {
        return { kind: 'thrown', error: toErrorRecord(explainRuntimeError(fn, error)), durationMs: elapsed() }
      }
    })()
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
