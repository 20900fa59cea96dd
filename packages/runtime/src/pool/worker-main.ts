import { CompiledFunctions, invokePure, toErrorRecord, type KeywordArgs, type PureFunctionSource } from '@tessera/core'
import { collectTransferables } from './transferables.ts'
import type { WorkerReply } from './worker-handle.ts'

/** A reply and the buffers in it to move back rather than copy. */
export interface WorkerAnswer {
  readonly reply: WorkerReply
  readonly transfer: ArrayBuffer[]
}

export interface WorkerRunner {
  run(fn: PureFunctionSource, args: KeywordArgs): Promise<WorkerAnswer>
}

/**
 * What every worker does, whatever carries its messages: compiles each function
 * once (by address) and runs it. Never throws: source that does not compile
 * comes back as `refused`, everything the function does as an `Invocation`.
 */
export function createWorkerRunner(): WorkerRunner {
  const compiled = new CompiledFunctions()
  return {
    async run(fn, args) {
      let compiledFn
      try {
        compiledFn = compiled.get(fn)
      } catch (error) {
        return { reply: { kind: 'refused', error: toErrorRecord(error) }, transfer: [] }
      }
      const reply = await invokePure(fn, compiledFn, args)
      return { reply, transfer: reply.kind === 'value' ? collectTransferables(reply.value) : [] }
    },
  }
}
