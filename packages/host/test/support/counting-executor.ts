import { MemoryExecutor, type Execution, type Executor, type KeywordArgs, type PureFunctionSource, type RunOptions } from '@tessera/core'

/** An in-process executor that counts its runs: which peer of a test did the work. */
export class CountingExecutor implements Executor {
  readonly #inner = new MemoryExecutor()
  runs = 0
  run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    this.runs++
    return this.#inner.run(fn, args, options)
  }
  close(): Promise<void> {
    return this.#inner.close()
  }
}
