import { NotSelfContainedError, TaskError } from '../errors.ts'
import type { KeywordArgs, PureFunctionSource } from './define-pure.ts'
import { functionAddress } from './define-pure.ts'
import { AddressError } from '../errors.ts'
import { BUNDLER_HELPERS } from './allowed-globals.ts'
import { routedConsole } from './task-logs.ts'

export type CompiledFunction = (args: KeywordArgs) => unknown

/**
 * Compiles a function's source in the global scope, where none of the submitter's
 * variables exist. The address is checked first, so a donor never runs code under
 * a name it does not hash to.
 */
export function compilePure(fn: PureFunctionSource): CompiledFunction {
  if (functionAddress(fn.name, fn.source) !== fn.address) {
    throw new AddressError(`function "${fn.name}": source does not match its address ${fn.address}`)
  }
  const helpers = Object.entries(BUNDLER_HELPERS)
    .map(([name, body]) => `const ${name} = ${body};`)
    .join('\n')
  // `console` is a parameter: the function's output goes to the run that is capturing it (`task-logs.ts`).
  const compiled = new Function('console', `"use strict";\n${helpers}\nreturn (${fn.source}\n);`)(routedConsole) as unknown
  if (typeof compiled !== 'function') throw new TaskError('TypeError', `function "${fn.name}" did not compile to a function`)
  return compiled as CompiledFunction
}

/**
 * A ReferenceError from a function that passed the definition-time check (for
 * example one built with `new Function`) means it read something from outside.
 */
export function explainRuntimeError(fn: PureFunctionSource, error: unknown): unknown {
  if (error instanceof ReferenceError) {
    const variable = /^(\S+) is not defined/.exec(error.message)?.[1]
    if (variable !== undefined) return new NotSelfContainedError(fn.name, [variable])
  }
  return error
}
