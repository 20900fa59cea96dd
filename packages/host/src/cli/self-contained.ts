import { parseExpressionAt } from 'acorn'
import { definePure, NotSelfContainedError, type KeywordArgs } from '@tessera/core'
import type { ModuleScope } from './module-scope.ts'

/** Names no bundle declares (esbuild never emits a `__tessera` prefix), so they shadow nothing. */
const SELF = '__tesseraScoped'
const ARGS = '__tesseraArgs'
const CACHED = '__tesseraFn'

/**
 * Makes a pure function defined in a bundled job module self-contained: when it
 * calls helpers the module declares (its own, or inlined from local files and
 * npm packages), the function that travels becomes
 *
 *     function __tesseraScoped(__tesseraArgs) {
 *       const __tesseraFn = __tesseraScoped.__tesseraFn ??= (() => { <those declarations>; return (<fn>) })()
 *       return __tesseraFn(__tesseraArgs)
 *     }
 *
 * Donors receive source text only, and this text carries the helpers with it,
 * so the function's address (a hash of that text) changes whenever a helper
 * does: a cached result is never reused for different helper code.
 *
 * The declarations are evaluated once per compiled copy of the function (once
 * per worker), not on every call: evaluating them per call made every call
 * build fresh classes, which left V8's inline caches megamorphic and the
 * Monte Carlo example 10x slower. So helpers' module state (a memo table) is
 * shared between the calls one worker runs, as it is in the job's own process;
 * helpers must be pure for results to be, like the function itself.
 *
 * A function that needs nothing outside itself is returned unchanged (same
 * address as without the CLI). One that reads something the module does not
 * declare (an import from outside the bundle, a local of the job's own function)
 * is returned unchanged too, and `definePure` refuses it naming the variable.
 */
export function selfContained<A extends KeywordArgs, R>(
  fn: (args: A) => R | Promise<R>,
  name: string,
  scope: ModuleScope,
): (args: A) => R | Promise<R> {
  let free: readonly string[]
  try {
    definePure(fn, { name })
    return fn
  } catch (error) {
    if (!(error instanceof NotSelfContainedError) || error.freeVariables.length === 0) return fn
    free = error.freeVariables
  }
  const declarations = scope.closure(free)
  if (declarations === '') return fn
  const body = `(() => {\n${declarations}\nreturn (${asExpression(Function.prototype.toString.call(fn))});\n})()`
  const source = `function ${SELF}(${ARGS}) {\nconst ${CACHED} = ${SELF}.${CACHED} ??= ${body};\nreturn ${CACHED}(${ARGS});\n}`
  let wrapped: unknown
  try {
    wrapped = new Function(`"use strict";\nreturn (${source});`)()
  } catch (error) {
    // A top-level `await` among the helpers, say: a clear refusal rather than a syntax error later.
    throw new NotSelfContainedError(name, free, `pure function "${name}" calls helpers that cannot be sent with it: ${(error as Error).message}`)
  }
  return wrapped as (args: A) => R | Promise<R>
}

/** Method shorthand (`square({ x }) { ... }`) is not an expression on its own: make it a function expression. */
function asExpression(text: string): string {
  const asyncMethod = /^async\s+(?!function\b)/.exec(text)
  const candidates = [text, `function ${text}`, ...(asyncMethod === null ? [] : [`async function ${text.slice(asyncMethod[0].length)}`])]
  for (const candidate of candidates) {
    try {
      if (parseExpressionAt(candidate, 0, { ecmaVersion: 'latest' }).end === candidate.length) return candidate
    } catch {
      // try the next form
    }
  }
  return text
}
