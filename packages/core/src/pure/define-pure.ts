import { addressOf } from '../address.ts'
import { isPlainObject } from '../encoding/supported-value.ts'
import { NotSelfContainedError } from '../errors.ts'
import type { Address } from '../ids.ts'
import { parseFunctionSource } from './function-source.ts'

/** Keyword arguments: exactly one plain object, as in Pythagoras. */
export type KeywordArgs = Record<string, unknown>

/** What travels to donors: enough to compile and to check the address. */
export interface PureFunctionSource {
  readonly name: string
  readonly source: string
  readonly address: Address
}

export interface PureFunction<A extends KeywordArgs = KeywordArgs, R = unknown> extends PureFunctionSource {
  readonly kind: 'tessera/pure'
  /** The original function, for running it where it was defined. */
  readonly fn: (args: A) => R | Promise<R>
}

export interface DefinePureOptions {
  /** Defaults to the function's own name. Part of the address. */
  readonly name?: string
}

const PURE_FUNCTION_VERSION = 'tessera/pure@1'

/** How a function is stored: the value whose address is the function's address. */
export function functionRecord(name: string, source: string): readonly [string, string, string] {
  return [PURE_FUNCTION_VERSION, name, source]
}

/** The name and source in a stored function record, or undefined if `value` is not one. */
export function parseFunctionRecord(value: unknown): { name: string; source: string } | undefined {
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== PURE_FUNCTION_VERSION) return undefined
  const [, name, source] = value as unknown[]
  return typeof name === 'string' && typeof source === 'string' ? { name, source } : undefined
}

export function functionAddress(name: string, source: string): Address {
  return addressOf(functionRecord(name, source))
}

/**
 * Registers a pure, keyword-only function. Its address is the hash of its
 * normalized source and name. Functions that read outer variables are refused
 * here with `NotSelfContainedError`, because donors only ever receive the source.
 */
export function definePure<A extends KeywordArgs, R>(
  fn: (args: A) => R | Promise<R>,
  options: DefinePureOptions = {},
): PureFunction<A, R> {
  if (typeof fn !== 'function') throw new TypeError(`definePure expects a function, got ${typeof fn}`)
  const name = options.name ?? (fn.name !== '' ? fn.name : 'anonymous')
  const parsed = parseFunctionSource(name, Function.prototype.toString.call(fn))
  if (parsed.isGenerator) throw new TypeError(`pure function "${name}" is a generator; return a value instead`)
  if (parsed.parameterCount > 1 || parsed.hasRestParameter) {
    throw new TypeError(
      `pure function "${name}" must be keyword-only: take one object parameter, e.g. ({ x, y }) => ..., not positional parameters`,
    )
  }
  if (parsed.freeVariables.length > 0) {
    const reads = parsed.freeSites.map((site) => ({
      name: site.name,
      at: `line ${site.line}, column ${site.column} of its source`,
      ...(site.enclosing === undefined || site.enclosing === name ? {} : { enclosing: site.enclosing }),
    }))
    throw new NotSelfContainedError(name, parsed.freeVariables, undefined, reads)
  }
  return Object.freeze({
    kind: 'tessera/pure' as const,
    name,
    source: parsed.source,
    address: functionAddress(name, parsed.source),
    fn,
  })
}

/**
 * Call-site check, run before anything is queued: one plain object, nothing else.
 * Takes the call's whole argument list so positional calls are caught too.
 */
export function assertKeywordCall(name: string, callArgs: readonly unknown[]): asserts callArgs is [KeywordArgs] {
  if (callArgs.length !== 1) {
    throw new TypeError(
      `${name}() takes keyword arguments as one object, e.g. ${name}({ x: 1 }); it was called with ${callArgs.length} arguments`,
    )
  }
  const [args] = callArgs
  if (!isPlainObject(args)) {
    const got = args === null ? 'null' : Array.isArray(args) ? 'an array' : typeof args === 'object' ? 'a class instance' : typeof args
    throw new TypeError(`${name}() takes keyword arguments as one plain object, e.g. ${name}({ x: 1 }); got ${got}`)
  }
}

/**
 * Registers a pure function from its source text alone, as clients in other
 * languages send it (the HTTP job API): the checks of `definePure`, and the
 * same address a function with that source and name gets. The source is
 * parsed, never evaluated here; it runs only on donors, in their sandbox.
 */
export function definePureSource(name: string, text: string): PureFunction {
  const parsed = parseFunctionSource(name, text)
  if (parsed.isGenerator) throw new TypeError(`pure function "${name}" is a generator; return a value instead`)
  if (parsed.parameterCount > 1 || parsed.hasRestParameter) {
    throw new TypeError(`pure function "${name}" must be keyword-only: take one object parameter, e.g. ({ x, y }) => ..., not positional parameters`)
  }
  if (parsed.freeVariables.length > 0) throw new NotSelfContainedError(name, parsed.freeVariables)
  const fn = (): never => {
    throw new TypeError(`pure function "${name}" was given as source only: it runs on donors, not here`)
  }
  return Object.freeze({ kind: 'tessera/pure' as const, name, source: parsed.source, address: functionAddress(name, parsed.source), fn })
}
