import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * No source file may reach itself through its own relative imports: a cycle
 * makes module order decide what is initialised, and it is the first sign of two
 * files that should be one, or of a third file they should share. Type-only
 * imports count too, since they tangle the design just the same.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SOURCE_ROOTS = [
  ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name, 'src')),
  join(ROOT, 'signaling', 'src'),
  join(ROOT, 'apps'),
].filter((dir) => isDirectory(dir))

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path)
    return /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

// `import … from './x'`, `export … from './x'`, `import './x'` and `import('./x')`.
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g

/** The relative imports of `source`, with comments removed so commented-out code does not count. */
function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  return [...code.matchAll(RELATIVE_IMPORT)].map((match) => match[1] as string)
}

function resolveImport(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = resolve(dirname(from), specifier)
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]
  return candidates.find((candidate) => known.has(candidate))
}

/** Every cycle found by a depth-first search, each as the files along it, first file repeated at the end. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[][] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next)
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next])
      else if (seen === undefined) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles
}

function importGraph(): Map<string, string[]> {
  const files = SOURCE_ROOTS.flatMap(sourceFiles)
  const known = new Set(files)
  return new Map(
    files.map((file) => [
      file,
      relativeImports(readFileSync(file, 'utf8')).flatMap((specifier) => resolveImport(file, specifier, known) ?? []),
    ]),
  )
}

describe('import cycles', () => {
  it('the search finds a cycle, and only a cycle', () => {
    expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c', 'a']])
    expect(findCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([])
    expect(relativeImports("import type { X } from './x.ts'\n// import './commented.ts'\nexport { y } from \"../y.ts\"\nawait import('./z.ts')")).toEqual([
      './x.ts',
      '../y.ts',
      './z.ts',
    ])
  })

  it('no source file of any package imports itself through others', () => {
    const graph = importGraph()
    expect(graph.size).toBeGreaterThan(100)
    const cycles = findCycles(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)).join(' -> '))
    expect(cycles).toEqual([])
  })
})
