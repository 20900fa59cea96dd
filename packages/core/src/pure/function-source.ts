import { parseExpressionAt, type Node } from 'acorn'
import { generate } from 'astring'
import type { Node as EstreeNode } from 'estree'
import { NotSelfContainedError } from '../errors.ts'
import { ALLOWED_GLOBALS } from './allowed-globals.ts'
import { freeReferences } from './free-references.ts'

export interface ParsedFunction {
  /**
   * Source text that evaluates to the function as an expression, printed anew
   * from its syntax tree: whitespace, comments and the formatting of whichever
   * toolchain compiled it (Vite, tsx, a minifier) do not change it.
   */
  readonly source: string
  readonly parameterCount: number
  readonly hasRestParameter: boolean
  readonly isGenerator: boolean
  /** Identifiers the function reads from outside itself that are not allowed globals. */
  readonly freeVariables: readonly string[]
  /** Where each of them is read, first read of each name first, in the function's own source text. */
  readonly freeSites: readonly FreeVariableSite[]
}

/** Where a pure function reads a name from outside itself, counted in the text `fn.toString()` gave. */
export interface FreeVariableSite {
  readonly name: string
  /** 1-based line and column. */
  readonly line: number
  readonly column: number
  /** The nearest enclosing named function (a bundled helper, say), if there is one. */
  readonly enclosing?: string
}

/**
 * Whitespace-only differences (indentation from where it was written, CRLF,
 * trailing spaces) must not change a function's address.
 */
export function normalizeSource(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.replace(/[ \t]+$/, ''))
  const indents = lines.slice(1).filter((l) => l.length > 0).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0)
  const common = indents.length > 0 ? Math.min(...indents) : 0
  return [lines[0] ?? '', ...lines.slice(1).map((l) => l.slice(common))].join('\n').trim()
}

type FunctionNode = Node & {
  type: 'ArrowFunctionExpression' | 'FunctionExpression'
  params: Array<Node & { type: string }>
  generator: boolean
}

function tryParse(source: string): FunctionNode | undefined {
  try {
    const node = parseExpressionAt(source, 0, { ecmaVersion: 'latest' })
    if (node.end !== source.length) return undefined
    if (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') return node as FunctionNode
  } catch {
    // not an expression in this form; the caller tries the next form
  }
  return undefined
}

/**
 * Names that class and function expressions bind for their own bodies
 * (`new (class Point {})()`), which the scope analysis reports as free.
 */
function selfBoundNames(root: unknown): Set<string> {
  const names = new Set<string>()
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return
    if (Array.isArray(node)) {
      node.forEach(visit)
      return
    }
    const n = node as { type?: unknown; id?: { name?: unknown } | null }
    if ((n.type === 'ClassExpression' || n.type === 'FunctionExpression') && typeof n.id?.name === 'string') names.add(n.id.name)
    for (const value of Object.values(node)) if (typeof value === 'object') visit(value)
  }
  visit(root)
  return names
}

/**
 * Turns `fn.toString()` into an expression and inspects it. Method shorthand
 * (`square({ x }) { ... }`) is rewritten as a function expression.
 */
export function parseFunctionSource(name: string, text: string): ParsedFunction {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
    throw new NotSelfContainedError(name, [], `pure function "${name}" is native or bound, so it has no source to send to donors`)
  }
  const normalized = normalizeSource(text)
  const candidates = [normalized, `function ${normalized}`]
  const asyncMethod = /^async\s+(?!function\b)/.exec(normalized)
  if (asyncMethod !== null) candidates.push(`async function ${normalized.slice(asyncMethod[0].length)}`)
  for (const source of candidates) {
    const node = tryParse(source)
    if (node === undefined) continue
    const selfNamed = selfBoundNames(node)
    const free = freeReferences(node as unknown as EstreeNode).filter((r) => !ALLOWED_GLOBALS.has(r.name) && !selfNamed.has(r.name))
    const prefix = source.length - normalized.length
    const firstOfEach = free.filter((r, i) => free.findIndex((o) => o.name === r.name) === i)
    return {
      source: generate(node as unknown as EstreeNode, { indent: '  ', lineEnd: '\n' }).trim(),
      parameterCount: node.params.length,
      hasRestParameter: node.params.some((p) => p.type === 'RestElement'),
      isGenerator: node.generator,
      freeVariables: firstOfEach.map((r) => r.name).sort(),
      freeSites: firstOfEach.map((r) => siteOf(source, prefix, r)),
    }
  }
  throw new NotSelfContainedError(name, [], `pure function "${name}" has source that does not parse as a function: ${normalized.slice(0, 120)}`)
}

function siteOf(source: string, prefix: number, reference: { name: string; start: number; enclosing: string | undefined }): FreeVariableSite {
  const before = source.slice(0, reference.start).split('\n')
  const line = before.length
  const column = (before.at(-1)?.length ?? 0) + 1 - (line === 1 ? prefix : 0)
  return reference.enclosing === undefined ? { name: reference.name, line, column } : { name: reference.name, line, column, enclosing: reference.enclosing }
}
