import type { Node } from 'estree'
import { analyze, type Scope } from 'periscopic'

/** One place where a function reads a name it does not declare. */
export interface FreeReference {
  readonly name: string
  /** Offsets in the parsed text (acorn's `start`/`end`). */
  readonly start: number
  readonly end: number
  /** The nearest enclosing named function, class method or variable holding a function, if any. */
  readonly enclosing: string | undefined
}

type Located = Node & { start: number; end: number }

/**
 * Bindings the language makes inside every non-arrow function. Scope analysis
 * only knows declarations, so it reports `arguments` as read from outside;
 * `this`, `super` and `new.target` are not identifiers, and `new` in
 * `new.target` is not a name at all.
 */
const FUNCTION_BINDINGS: ReadonlySet<string> = new Set(['arguments'])

/**
 * Every read of a name that nothing inside `root` declares, in source order.
 * `arguments` counts as declared inside any `function` (or method), so a helper
 * like `function f() { return arguments.length }` is self-contained, while an
 * arrow function that reads `arguments` from around it is not. `import.meta`
 * is reported as the name `import.meta`: it depends on where the code runs.
 */
export function freeReferences(root: Node): FreeReference[] {
  const { map, scope } = analyze(root)
  const found: FreeReference[] = []
  const visit = (node: Node, parent: Node | undefined, current: Scope, inFunction: boolean, enclosing: string | undefined): void => {
    const own = map.get(node)
    const scopeHere = own ?? current
    const isFunction = node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration'
    const inside = inFunction || isFunction
    const name = isFunction || node.type === 'ArrowFunctionExpression' ? (functionName(node, parent) ?? enclosing) : enclosing
    if (node.type === 'MetaProperty') {
      if (node.meta.name === 'import') found.push(reference('import.meta', node, enclosing))
      return
    }
    if (node.type === 'Identifier') {
      if (parent !== undefined && isReference(node, parent) && scopeHere.find_owner(node.name) === null) {
        if (!(inside && FUNCTION_BINDINGS.has(node.name))) found.push(reference(node.name, node, enclosing))
      }
      return
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'type' || typeof value !== 'object' || value === null) continue
      const children = Array.isArray(value) ? value : [value]
      for (const child of children) {
        if (isNode(child)) visit(child, node, scopeHere, inside, name)
      }
    }
  }
  visit(root, undefined, scope, false, functionName(root, undefined))
  return found.sort((a, b) => a.start - b.start)
}

function reference(name: string, node: Node, enclosing: string | undefined): FreeReference {
  const located = node as Located
  return { name, start: located.start, end: located.end, enclosing }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
}

function functionName(node: Node, parent: Node | undefined): string | undefined {
  if ((node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') && node.id) return node.id.name
  if (parent === undefined) return undefined
  if (parent.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name
  // esbuild's keep-names wrapper: `const g = __name(() => ..., "g")`
  if (parent.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === '__name') {
    const label = parent.arguments[1]
    if (label?.type === 'Literal' && typeof label.value === 'string') return label.value
  }
  if ((parent.type === 'MethodDefinition' || parent.type === 'Property') && parent.key.type === 'Identifier') return parent.key.name
  return undefined
}

/** Whether an identifier is read as a variable (not `bar` in `foo.bar`, `{ bar: 1 }` or a label). */
function isReference(node: Node, parent: Node): boolean {
  switch (parent.type) {
    case 'MemberExpression':
      return parent.computed || node === parent.object
    case 'MethodDefinition':
      return parent.computed
    case 'PropertyDefinition':
    case 'Property':
      return parent.computed || node === parent.value
    case 'ExportSpecifier':
    case 'ImportSpecifier':
      return node === parent.local
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false
    default:
      return true
  }
}
