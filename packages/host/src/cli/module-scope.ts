import { parse, type Node } from 'acorn'
import type { Node as EstreeNode, Program, Statement, VariableDeclaration } from 'estree'
import { analyze, extract_names } from 'periscopic'
import type { SourceMap } from './source-map.ts'

/** One top-level declaration of a bundled module, with the top-level names it reads. */
interface Declaration {
  readonly order: number
  readonly declares: readonly string[]
  readonly text: string
  /** Where `text` starts in the bundle, and how many characters were added before it (`const `). */
  readonly bundleStart: number
  readonly prefix: number
  readonly reads: ReadonlySet<string>
}

/** One piece of a closure's text and where it came from in the bundle. */
export interface ClosurePart {
  readonly text: string
  readonly bundleStart: number
  readonly prefix: number
}

/** Where a bundle position came from: the original file (from the source map) or the bundle's own line. */
export interface BundleOrigin {
  /** e.g. `node_modules/ml-matrix/src/util.js:12:7` */
  readonly at: string
}

/** A top-level statement that adds to a declared value (`Point.prototype.norm = ...`). */
interface Augmentation {
  readonly order: number
  readonly target: string
  readonly text: string
  readonly bundleStart: number
  readonly reads: ReadonlySet<string>
}

type Located = EstreeNode & { start: number; end: number }

/**
 * The top-level declarations of one bundled module (esbuild's output for a job
 * module, its local imports and npm packages inlined), so that a pure function
 * defined in it can be sent to donors together with exactly the helpers it
 * calls: the declarations its free variables name, and theirs, transitively.
 */
export class ModuleScope {
  readonly #declarations = new Map<string, Declaration>()
  readonly #augmentations = new Map<string, Augmentation[]>()
  readonly #source: string
  readonly #map: SourceMap | undefined

  private constructor(source: string, map: SourceMap | undefined) {
    this.#source = source
    this.#map = map
    const program = parse(source, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as Program
    program.body.forEach((statement, order) => this.#index(source, statement as Statement & Located, order))
  }

  /** `map`, esbuild's source map of the bundle, lets refusals name the original file and line. */
  static of(source: string, map?: SourceMap): ModuleScope {
    return new ModuleScope(source, map)
  }

  /**
   * The original file, line and column of a bundle offset: from the source map
   * when there is one, else the file named by esbuild's `// path` marker before
   * it and the bundle's line.
   */
  originOf(bundleOffset: number): BundleOrigin {
    const before = this.#source.slice(0, bundleOffset).split('\n')
    const line = before.length
    const column = before.at(-1)?.length ?? 0
    const original = this.#map?.originalOf(line, column)
    if (original !== undefined) return { at: `${original.source}:${original.line}:${original.column}` }
    const marker = [...before].reverse().find((l) => /^\/\/ \S+\.[cm]?[jt]sx?$/.test(l))
    return { at: `${marker === undefined ? 'bundle' : marker.slice(3)} (bundle line ${line})` }
  }

  /**
   * Source text declaring `names` and everything they need from the module, in
   * module order (so `const` and `class` are initialised before use). Names the
   * module does not declare (globals, imports from outside the bundle) are left
   * out: whoever checks the result reports them.
   */
  closure(names: Iterable<string>): string {
    return this.closureParts(names)
      .map((part) => part.text)
      .join('\n')
  }

  /** Where `text` (a function's own source) first appears in the bundle, if it does. */
  bundleOffsetOf(text: string): number | undefined {
    const at = this.#source.indexOf(text)
    return at < 0 ? undefined : at
  }

  /** `closure`'s pieces, in order, each with its place in the bundle; joined with newlines they are `closure`. */
  closureParts(names: Iterable<string>): ClosurePart[] {
    const chosen = new Map<number, ClosurePart>()
    const seen = new Set<string>()
    const pending = [...names]
    const want = (reads: Iterable<string>): void => {
      for (const name of reads) if (!seen.has(name)) pending.push(name)
    }
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (seen.has(name)) continue
      seen.add(name)
      const declaration = this.#declarations.get(name)
      if (declaration === undefined) continue
      chosen.set(declaration.order, { text: declaration.text, bundleStart: declaration.bundleStart, prefix: declaration.prefix })
      want(declaration.reads)
      for (const augmentation of this.#augmentations.get(name) ?? []) {
        chosen.set(augmentation.order, { text: augmentation.text, bundleStart: augmentation.bundleStart, prefix: 0 })
        want(augmentation.reads)
      }
    }
    return [...chosen.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, part]) => part)
  }

  #index(source: string, statement: Statement & Located, order: number): void {
    const node = unwrapExport(statement)
    if (node === undefined) return
    if (node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') {
      if (node.id === null) return
      this.#declare(order, [node.id.name], source.slice(node.start, node.end), node.start, 0, node)
      return
    }
    if (node.type === 'VariableDeclaration') {
      // One entry per declarator: `var a = 1, b = f()` must not drag `f` in for `a`.
      node.declarations.forEach((declarator, i) => {
        const single: VariableDeclaration = { type: 'VariableDeclaration', kind: node.kind, declarations: [declarator] }
        const located = declarator as typeof declarator & Located
        const text = `${node.kind} ${source.slice(located.start, located.end)};`
        this.#declare(order + i / node.declarations.length, extract_names(declarator.id), text, located.start, node.kind.length + 1, single)
      })
      return
    }
    const target = augmentedName(node)
    if (target === undefined) return
    const list = this.#augmentations.get(target) ?? []
    list.push({ order, target, text: source.slice(node.start, node.end), bundleStart: node.start, reads: readsOf(node) })
    this.#augmentations.set(target, list)
  }

  #declare(order: number, declares: readonly string[], text: string, bundleStart: number, prefix: number, node: EstreeNode): void {
    const reads = readsOf(node)
    for (const name of declares) this.#declarations.set(name, { order, declares, text, bundleStart, prefix, reads })
  }
}

function unwrapExport(statement: Statement & Located): (EstreeNode & Located) | undefined {
  const node = statement as EstreeNode
  if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration') {
    const inner = node.declaration as (EstreeNode & Located) | null
    return inner !== null && (inner.type === 'FunctionDeclaration' || inner.type === 'ClassDeclaration' || inner.type === 'VariableDeclaration') ? inner : undefined
  }
  return statement
}

/** `X.y = ...` or `X.prototype.y = ...` at the top level: the name `X`. */
function augmentedName(node: EstreeNode): string | undefined {
  if (node.type !== 'ExpressionStatement' || node.expression.type !== 'AssignmentExpression') return undefined
  let target = node.expression.left
  while (target.type === 'MemberExpression') target = target.object as typeof target
  return target.type === 'Identifier' ? target.name : undefined
}

/** The names a top-level statement reads from outside itself. */
function readsOf(node: EstreeNode): Set<string> {
  const program: Program = { type: 'Program', sourceType: 'module', body: [node as Statement] }
  return new Set(analyze(program as unknown as Node as unknown as EstreeNode).globals.keys())
}
