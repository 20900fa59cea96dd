import { parseExpressionAt } from 'acorn'
import { definePure, NotSelfContainedError, type KeywordArgs, type OutsideRead } from '@tessera/core'
import type { ClosurePart, ModuleScope } from './module-scope.ts'

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
  const own = Function.prototype.toString.call(fn)
  try {
    definePure(fn, { name })
    return fn
  } catch (error) {
    if (!(error instanceof NotSelfContainedError) || error.freeVariables.length === 0) return fn
    free = error.freeVariables
  }
  const parts = scope.closureParts(free)
  if (parts.length === 0) return locatedInBundle(fn, name, scope, own)
  const head = `function ${SELF}(${ARGS}) {\nconst ${CACHED} = ${SELF}.${CACHED} ??= (() => {\n`
  const expression = asExpression(own)
  const declarations = parts.map((part) => part.text).join('\n')
  const body = `${declarations}\nreturn (${expression});\n})()`
  const source = `${head}${body};\nreturn ${CACHED}(${ARGS});\n}`
  let wrapped: unknown
  try {
    wrapped = new Function(`"use strict";\nreturn (${source});`)()
  } catch (error) {
    // A top-level `await` among the helpers, say: a clear refusal rather than a syntax error later.
    throw new NotSelfContainedError(name, free, `pure function "${name}" calls helpers that cannot be sent with it: ${(error as Error).message}`)
  }
  const shipped = wrapped as (args: A) => R | Promise<R>
  try {
    definePure(shipped, { name })
  } catch (error) {
    if (!(error instanceof NotSelfContainedError) || error.reads.length === 0) throw error
    const ownStart = scope.bundleOffsetOf(own)
    const ownPart = ownStart === undefined ? undefined : { text: expression, bundleStart: ownStart, prefix: expression.length - own.length }
    const offsets = placeParts(head.length, parts, declarations.length, ownPart)
    throw new NotSelfContainedError(name, error.freeVariables, undefined, error.reads.map((read) => inBundle(read, source, offsets, scope)))
  }
  return shipped
}

/** A function with nothing the bundle declares to add: refused as is, its reads named by file and line. */
function locatedInBundle<A extends KeywordArgs, R>(fn: (args: A) => R | Promise<R>, name: string, scope: ModuleScope, own: string): (args: A) => R | Promise<R> {
  const start = scope.bundleOffsetOf(own)
  if (start === undefined) return fn
  try {
    definePure(fn, { name })
  } catch (error) {
    if (!(error instanceof NotSelfContainedError) || error.reads.length === 0) throw error
    const offsets = [{ at: 0, part: { text: own, bundleStart: start, prefix: 0 } }]
    throw new NotSelfContainedError(name, error.freeVariables, undefined, error.reads.map((read) => inBundle(read, own, offsets, scope)))
  }
  return fn
}

interface PlacedPart {
  readonly at: number
  readonly part: ClosurePart
}

/** Where each helper starts in the shipped source, one after another, then the function itself after `return (`. */
function placeParts(start: number, parts: readonly ClosurePart[], declarationsLength: number, own: ClosurePart | undefined): PlacedPart[] {
  const placed: PlacedPart[] = []
  let at = start
  for (const part of parts) {
    placed.push({ at, part })
    at += part.text.length + 1
  }
  if (own !== undefined) placed.push({ at: start + declarationsLength + '\nreturn ('.length, part: own })
  return placed
}

/** Turns "line 7, column 3 of its source" (of the shipped text) into the bundled file's name and line. */
function inBundle(read: OutsideRead, source: string, placed: readonly PlacedPart[], scope: ModuleScope): OutsideRead {
  const match = /^line (\d+), column (\d+)/.exec(read.at)
  if (match === null) return read
  const lines = source.split('\n')
  const offset = lines.slice(0, Number(match[1]) - 1).reduce((sum, line) => sum + line.length + 1, 0) + Number(match[2]) - 1
  const hit = [...placed].reverse().find((p) => offset >= p.at && offset < p.at + p.part.text.length)
  if (hit === undefined) return read
  const relative = offset - hit.at
  const bundleOffset = hit.part.bundleStart + Math.max(0, relative - hit.part.prefix)
  const { enclosing, ...rest } = read
  // The wrapper is ours, not a function the user knows.
  return { ...rest, ...(enclosing === undefined || enclosing === SELF ? {} : { enclosing }), at: scope.originOf(bundleOffset).at }
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
