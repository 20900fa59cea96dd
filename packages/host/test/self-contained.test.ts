import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compilePure, definePure, NotSelfContainedError, type KeywordArgs } from '@tessera/core'
import { loadJob } from '../src/cli/load-job.ts'
import { ModuleScope } from '../src/cli/module-scope.ts'
import { selfContained } from '../src/cli/self-contained.ts'
import { ThreadExecutor } from '../src/thread-executor.ts'

const fixture = fileURLToPath(new URL('./fixtures/helpers-job.ts', import.meta.url))
type Fn = (args: KeywordArgs) => unknown

/** A function as a bundle would hold it: its source text only, compiled where nothing else exists. */
function functionFrom(source: string): Fn {
  return new Function(`return (${source})`)() as Fn
}

describe('ModuleScope: the declarations a function needs from its bundle', () => {
  const scope = ModuleScope.of(`
import { x as outside } from 'elsewhere'
const unused = 1, base = 10
function double(v) { return v * 2 }
function helper(v) { return double(v) + base }
class Point { constructor(x) { this.x = x } }
Point.prototype.norm = function () { return Math.abs(this.x) }
let other = outside
export { helper }
`)

  it('takes the names asked for and what they read, transitively, in module order', () => {
    expect(scope.closure(['helper'])).toBe('const base = 10;\nfunction double(v) { return v * 2 }\nfunction helper(v) { return double(v) + base }')
  })

  it('takes one declarator of a multiple declaration, and statements that add to a class', () => {
    expect(scope.closure(['Point'])).toBe('class Point { constructor(x) { this.x = x } }\nPoint.prototype.norm = function () { return Math.abs(this.x) }')
  })

  it('leaves out names the module does not declare, and imports from outside the bundle', () => {
    expect(scope.closure(['Math', 'nothing'])).toBe('')
    expect(scope.closure(['other'])).toBe('let other = outside;')
  })
})

describe('selfContained: pure functions that call helpers from the bundle', () => {
  it('ships the local and npm helpers with the function, and it computes the same in an empty scope', async () => {
    const { exports, scope } = await loadJob(fixture)
    const original = exports['hits'] as Fn
    const shipped = definePure(selfContained(original, 'hits', scope), { name: 'hits' })
    expect(shipped.source).toContain('function quarterCircleHits')
    expect(shipped.source).toContain('function xoroshiro128plus')
    expect(shipped.source).not.toContain('foldSplit')
    const compiled = compilePure({ name: shipped.name, source: shipped.source, address: shipped.address })
    const args = { seed: 42, samples: 10_000 }
    expect(compiled(args)).toBe(original(args))
    expect(compiled(args)).toBeGreaterThan(7_000)
  })

  it('returns a function that needs nothing unchanged, so its address is the same as without the CLI', async () => {
    const { exports, scope } = await loadJob(fixture)
    const fn = exports['alreadySelfContained'] as Fn
    expect(selfContained(fn, 'double', scope)).toBe(fn)
  })

  it('still refuses a helper that reads the environment, naming what it reads and the file and line it is on', async () => {
    const { exports, scope } = await loadJob(fixture)
    const refuse = () => selfContained(exports['callsImpureHelper'] as Fn, 'pid', scope)
    expect(refuse).toThrow(NotSelfContainedError)
    expect(refuse).toThrow(/"process" \(in processId, packages\/host\/test\/fixtures\/impure-helper\.ts:3:10\)/)
  })

  it('names the job file and line when the function itself reads the environment, with or without helpers', async () => {
    const { exports, scope } = await loadJob(fixture)
    expect(() => selfContained(exports['readsEnvItself'] as Fn, 'env', scope)).toThrow(/"process" \(packages\/host\/test\/fixtures\/helpers-job\.ts:14:61\)/)
    expect(() => selfContained(exports['helperAndEnv'] as Fn, 'mixed', scope)).toThrow(/"process" \(packages\/host\/test\/fixtures\/helpers-job\.ts:15:109\)/)
  })

  it('accepts npm helpers that read `arguments` (ml-matrix checkRange) and computes the same with nothing around it', async () => {
    const { exports, scope } = await loadJob(fileURLToPath(new URL('./fixtures/ml-matrix-job.ts', import.meta.url)))
    const original = exports['subSum'] as Fn
    const shipped = definePure(selfContained(original, 'subSum', scope), { name: 'subSum' })
    expect(shipped.source).toContain('arguments.length')
    expect(compilePure(shipped)({ n: 4 })).toBe(8)
    expect(original({ n: 4 })).toBe(8)
    // And on a real worker thread, as a donor runs it.
    const executor = new ThreadExecutor({ workers: 1 })
    try {
      expect(await executor.run(shipped, { n: 5 }, { timeoutMs: 20_000 })).toMatchObject({ kind: 'value', value: 8 })
    } finally {
      await executor.close()
    }
  })

  it('names the line and column in the function when the bundle does not hold its text', () => {
    const fn = functionFrom('({ v }) => {\n  const inner = () => v + missing\n  return inner()\n}')
    expect(() => selfContained(fn, 'f', ModuleScope.of('function unrelated() {}'))).not.toThrow()
    expect(() => definePure(fn, { name: 'f' })).toThrow('"missing" (in inner, line 2, column 27 of its source)')
  })

  it('gives the function another address when a helper it calls changes', () => {
    const fn = functionFrom('({ v }) => helper(v)')
    const before = definePure(selfContained(fn, 'f', ModuleScope.of('function helper(v) { return v + 1 }')), { name: 'f' })
    const after = definePure(selfContained(fn, 'f', ModuleScope.of('function helper(v) { return v + 2 }')), { name: 'f' })
    expect(before.address).not.toBe(after.address)
    expect(compilePure(before)({ v: 1 })).toBe(2)
    expect(compilePure(after)({ v: 1 })).toBe(3)
  })

  it('evaluates the helpers once per compiled copy, not on every call', () => {
    const fn = functionFrom('() => count()')
    const shipped = definePure(selfContained(fn, 'count', ModuleScope.of('let calls = 0\nfunction count() { return ++calls }')), { name: 'count' })
    const worker = compilePure(shipped)
    expect([worker({}), worker({})]).toEqual([1, 2])
    expect(compilePure(shipped)({})).toBe(1)
  })

  it('turns method shorthand into a function expression', () => {
    const holder = { triple({ v }: { v: number }) { return helper(v) * 3 } }
    const helper = (v: number): number => v
    void helper
    const shipped = definePure(selfContained(holder.triple as Fn, 'triple', ModuleScope.of('function helper(v) { return v + 1 }')), { name: 'triple' })
    expect(compilePure(shipped)({ v: 1 })).toBe(6)
  })
})
