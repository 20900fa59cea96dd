import { assertEncodable, type Value } from '../encoding/supported-value.ts'
import { TaskTimeoutError, toErrorRecord, type ErrorRecord } from '../errors.ts'
import type { Address } from '../ids.ts'
import { compilePure, explainRuntimeError, type CompiledFunction } from './compile.ts'
import type { KeywordArgs, PureFunctionSource } from './define-pure.ts'
import { withCapturedLogs, type TaskLogs } from './task-logs.ts'

/** Compiled functions by address: each is compiled once per executor. */
export class CompiledFunctions {
  readonly #byAddress = new Map<Address, CompiledFunction>()

  get(fn: PureFunctionSource): CompiledFunction {
    let compiled = this.#byAddress.get(fn.address)
    if (compiled === undefined) this.#byAddress.set(fn.address, (compiled = compilePure(fn)))
    return compiled
  }

  clear(): void {
    this.#byAddress.clear()
  }
}

/** How a call ended, with what it printed (`logs`, absent when it printed nothing). */
export type Invocation =
  | { readonly kind: 'value'; readonly value: Value; readonly logs?: TaskLogs }
  | { readonly kind: 'thrown'; readonly error: ErrorRecord; readonly logs?: TaskLogs }

/**
 * Calls a compiled function and says how it ended, never throwing: its value,
 * if that can be encoded, or what it threw (a result that cannot be encoded
 * counts as an `EncodingError` thrown by the function).
 */
export async function invokePure(fn: PureFunctionSource, compiled: CompiledFunction, args: KeywordArgs): Promise<Invocation> {
  const ran = await withCapturedLogs(async () => {
    const value = await compiled(args)
    assertEncodable(value, 'result')
    return value
  })
  const logs = ran.logs === undefined ? {} : { logs: ran.logs }
  if ('error' in ran) return { kind: 'thrown', error: toErrorRecord(explainRuntimeError(fn, ran.error)), ...logs }
  return { kind: 'value', value: ran.value, ...logs }
}

export function timeoutRecord(fn: PureFunctionSource, timeoutMs: number): ErrorRecord {
  return toErrorRecord(new TaskTimeoutError(`"${fn.name}" ran past its ${timeoutMs} ms limit`))
}
