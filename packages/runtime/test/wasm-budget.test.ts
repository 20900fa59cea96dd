import { createContext, runInContext, type Context } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { HARDEN_REALM_SOURCE, wasmBudgetSource, type WasmBudgetReport } from '@tessera/runtime/pool'

// The budget's asynchronous paths (compile, instantiate), in a realm of Node's own where they settle
// (isolated-vm's may not: packages/host/test/isolate-wasm-memory.test.ts covers the rest there).
const PAGE = 65536
const BUDGET_PAGES = 100

/** A module that defines one memory of `min`..`max` pages and exports it as "memory". */
function memoryModule(min: number, max?: number): number[] {
  const limits = max === undefined ? [0, min] : [1, min, ...leb(max)]
  const memory = [1, ...limits]
  const exported = [1, 6, ...[...'memory'].map((c) => c.charCodeAt(0)), 2, 0]
  return [0, 97, 115, 109, 1, 0, 0, 0, 5, memory.length, ...memory, 7, exported.length, ...exported]
}
function leb(value: number): number[] {
  const out: number[] = []
  for (let rest = value; ; ) {
    const low = rest & 0x7f
    rest = Math.floor(rest / 128)
    out.push(rest > 0 ? low | 0x80 : low)
    if (rest === 0) return out
  }
}
/** A module with a memory of its own (50 pages at most) that imports a function env.f. */
const IMPORTS_FUNCTION = [0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0, 5, 4, 1, 1, 0, 50]
/** A module that imports a memory of at least one page as env.memory. */
const IMPORTS_MEMORY = [0, 97, 115, 109, 1, 0, 0, 0, 2, 15, 1, 3, ...[...'env'].map((c) => c.charCodeAt(0)), 6, ...[...'memory'].map((c) => c.charCodeAt(0)), 2, 0, 1]

interface Realm {
  readonly context: Context
  readonly budget: { start(): void; end(): WasmBudgetReport }
  task<T>(code: string): Promise<{ value: T; report: WasmBudgetReport }>
}

function realm(): Realm {
  const context = createContext({})
  runInContext(wasmBudgetSource(BUDGET_PAGES * PAGE), context)
  runInContext(HARDEN_REALM_SOURCE, context)
  const budget = runInContext('globalThis.__tesseraWasmBudget()', context) as Realm['budget']
  return {
    context,
    budget,
    async task<T>(code: string) {
      budget.start()
      const value = (await (runInContext(code, context) as Promise<T>)) as T
      return { value, report: budget.end() }
    },
  }
}

const attempt = (body: string): string => `(async () => { try { return 'ok: ' + (await (async () => { ${body} })()) } catch (e) { return e.name + ': ' + e.message } })()`

describe('wasmBudgetSource: the asynchronous paths and the account', () => {
  it('refuses through compile, then instantiate(module), and instantiate(bytes), before the engine allocates', async () => {
    const r = realm()
    const unbounded = JSON.stringify(memoryModule(1))
    const huge = JSON.stringify(memoryModule(1, 40_000))
    expect((await r.task(attempt(`return (await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(${unbounded})))).exports.memory.buffer.byteLength`))).value).toMatch(/^TaskMemoryError: .*no maximum/)
    expect((await r.task(attempt(`return (await WebAssembly.instantiate(new Uint8Array(${huge}))).instance.exports.memory.buffer.byteLength`))).value).toMatch(/^TaskMemoryError: .*2500 MiB, over the donor's budget of 6\.3 MiB/)
    const streaming = await r.task(attempt('return WebAssembly.compileStreaming(new Uint8Array(8))'))
    expect(streaming.value).toMatch(/^TypeError: .*not available to tasks/)
  })

  it('counts a module compiled asynchronously at each instantiation, and imported memories once, where they were made', async () => {
    const r = realm()
    const sixty = JSON.stringify(memoryModule(0, 60))
    const { value, report } = await r.task<string>(attempt(`
      const module = await WebAssembly.compile(new Uint8Array(${sixty}))
      const first = await WebAssembly.instantiate(module)
      let second
      try { await WebAssembly.instantiate(module) } catch (e) { second = e.name }
      const shared = new WebAssembly.Memory({ initial: 1, maximum: 30 })
      const importer = new WebAssembly.Module(new Uint8Array(${JSON.stringify(IMPORTS_MEMORY)}))
      const imported = [new WebAssembly.Instance(importer, { env: { memory: shared } }), await WebAssembly.instantiate(importer, { env: { memory: shared } })]
      return [first.exports.memory.buffer.byteLength / ${PAGE}, second, imported.length].join(' ')`))
    expect(value).toBe('ok: 0 TaskMemoryError 2')
    // Still reachable when the task ends: the first instance (60 pages) and the memory it shared (30).
    expect(report).toEqual({ refused: expect.stringMatching(/^instantiating a WebAssembly module counts for 3\.8 MiB/), liveBytes: 90 * PAGE })
  })

  it('gives a failed instantiation its budget back, and refuses memories once the task is over', async () => {
    const r = realm()
    const ninety = JSON.stringify(memoryModule(0, 90))
    // A link error (the import is missing) costs nothing: its own 50 pages are given back, so 90 still fit.
    const { value } = await r.task(attempt(`
      const module = new WebAssembly.Module(new Uint8Array(${JSON.stringify(IMPORTS_FUNCTION)}))
      let linked
      try { await WebAssembly.instantiate(module, { env: {} }) } catch (e) { linked = e.name }
      try { new WebAssembly.Instance(module, { env: {} }) } catch (e) { linked += ' ' + e.name }
      return linked + ' ' + new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${ninety}))).exports.memory.buffer.byteLength`))
    expect(value).toBe('ok: LinkError LinkError 0')
    const late = runInContext(attempt('return new WebAssembly.Memory({ initial: 0, maximum: 1 }).buffer.byteLength'), r.context) as Promise<string>
    expect(await late).toMatch(/^TaskMemoryError: .*only be created while a task runs/)
  })
})
