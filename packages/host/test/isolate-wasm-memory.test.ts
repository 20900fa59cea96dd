import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { definePure, functionAddress, type PureFunctionSource } from '@tessera/core'
import { IsolateExecutor } from '@tessera/host'

/** A function from raw source: hostile code need not pass the definition-time checks, since it arrives as source. */
function hostile(name: string, source: string): PureFunctionSource {
  return { name, source, address: functionAddress(name, source) }
}

const RUN = { timeoutMs: 10_000 }
const PAGES_2_5_GB = 40_000 // 40,000 pages of 64 KiB: 2.6 GB, what a task once grew one memory to in a 64 MB isolate
const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })

const leb = (value: number): number[] => {
  const out: number[] = []
  let rest = value
  do {
    const low = rest & 0x7f
    rest = Math.floor(rest / 128)
    out.push(rest > 0 ? low | 0x80 : low)
  } while (rest > 0)
  return out
}
const section = (id: number, body: readonly number[]): number[] => [id, ...leb(body.length), ...body]
const name = (text: string): number[] => [text.length, ...[...text].map((c) => c.charCodeAt(0))]

/**
 * A module that defines one memory (`max` undefined: no maximum), exports it as
 * "memory", and exports `grow(pages)`, which runs wasm's own `memory.grow`.
 */
function memoryModule(min: number, max?: number): number[] {
  const limits = max === undefined ? [0, ...leb(min)] : [1, ...leb(min), ...leb(max)]
  return [
    0, 97, 115, 109, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]), // type (i32) -> i32
    ...section(3, [1, 0]), // one function of that type
    ...section(5, [1, ...limits]),
    ...section(7, [2, ...name('memory'), 2, 0, ...name('grow'), 0, 0]),
    ...section(10, [1, ...section(6, [0, 0x20, 0, 0x40, 0, 0x0b]).slice(1)]), // local.get 0; memory.grow 0; end
  ]
}

// Each case runs as a task of its own (a fresh budget), in one context of a 64 MB isolate: a 64 MiB budget, 1,024 pages.
const probe = hostile(
  'wasmProbe',
  `async ({ which, unbounded, huge, small, twice }) => {
    const bytes = (list) => new Uint8Array(list)
    const tried = (f) => { try { return 'ok: ' + f() } catch (e) { return e.name + ': ' + e.message } }
    const awaited = async (f) => { try { return 'ok: ' + (await f()) } catch (e) { return e.name + ': ' + e.message } }
    const W = WebAssembly
    switch (which) {
      case 'unbounded memory': return tried(() => new W.Memory({ initial: 1 }).grow(${PAGES_2_5_GB}))
      case 'memory of 2.5 GB': return tried(() => new W.Memory({ initial: 1, maximum: ${PAGES_2_5_GB} }).grow(${PAGES_2_5_GB - 1}))
      case 'memory64': return tried(() => new W.Memory({ initial: 1, maximum: 1, index: 'i64' }))
      case 'two shared memories over the budget': return tried(() => [new W.Memory({ initial: 0, maximum: 600, shared: true }), new W.Memory({ initial: 0, maximum: 600, shared: true })].length)
      case 'two memories over the budget': return tried(() => [new W.Memory({ initial: 0, maximum: 600 }), new W.Memory({ initial: 0, maximum: 600 })].length)
      case 'module, own memory unbounded': return tried(() => new W.Instance(new W.Module(bytes(unbounded))).exports.memory.grow(${PAGES_2_5_GB}))
      case 'module, own memory of 2.5 GB': return tried(() => new W.Instance(new W.Module(bytes(huge))).exports.grow(${PAGES_2_5_GB - 1}))
      case 'instantiate(bytes) of 2.5 GB': return awaited(async () => (await W.instantiate(bytes(huge))).instance.exports.grow(${PAGES_2_5_GB - 1}))
      case 'instantiate(module), unbounded': return awaited(async () => (await W.instantiate(new W.Module(bytes(unbounded)))).exports.memory.grow(${PAGES_2_5_GB}))
      case 'memories of 0 pages': { let made = 0; try { for (;;) { new W.Memory({ initial: 0, maximum: 0 }); made++ } } catch (e) { return made + ' made, then ' + e.name } }
      case 'one module instantiated twice over the budget': { const m = new W.Module(bytes(twice)); return tried(() => [new W.Instance(m), new W.Instance(m)].length) }
      case 'within the budget': {
        const m = new W.Memory({ initial: 1, maximum: 16 })
        const { exports } = new W.Instance(new W.Module(bytes(small)))
        return [m.grow(15), tried(() => m.grow(1)), exports.grow(15), exports.grow(${PAGES_2_5_GB}), exports.memory.buffer.byteLength].join(' | ')
      }
      case 'escapes': {
        const mem = new W.Memory({ initial: 0, maximum: 1 })
        const inst = new W.Instance(new W.Module(bytes(small)))
        const viaProto = Object.getPrototypeOf(mem).constructor
        class Sub extends W.Memory {}
        let reads = 0
        const shifty = { initial: 1, get maximum() { return reads++ === 0 ? 1 : ${PAGES_2_5_GB} } }
        return {
          sameConstructors: viaProto === W.Memory && inst.exports.memory.constructor === W.Memory && Object.getPrototypeOf(inst).constructor === W.Instance,
          viaProto: tried(() => new viaProto({ initial: 1 })),
          viaExport: tried(() => new inst.exports.memory.constructor({ initial: 1 })),
          reflect: tried(() => Reflect.construct(W.Memory, [{ initial: 1 }], Object)),
          subclass: tried(() => new Sub({ initial: 1 })),
          reassign: tried(() => { W.Memory = function () {}; return 'reassigned' }),
          redefineConstructor: tried(() => Object.defineProperty(W.Memory.prototype, 'constructor', { value: Object })),
          controller: typeof globalThis.__tesseraWasmBudget === 'function' ? String(globalThis.__tesseraWasmBudget()) : 'none',
          growPastMaximum: tried(() => W.Memory.prototype.grow.call(mem, ${PAGES_2_5_GB})),
          exportGrowPastMaximum: tried(() => inst.exports.memory.grow(${PAGES_2_5_GB})),
          descriptorReadOnce: tried(() => new W.Memory(shifty).grow(2)),
          streaming: typeof W.compileStreaming === 'function' ? await awaited(() => W.compileStreaming(bytes(small))) : 'absent',
        }
      }
    }
    throw new Error('no case ' + which)
  }`,
)
// No case awaits WebAssembly.compile or an instantiate that gets as far as the engine: in isolated-vm 5 an asynchronous
// compile may never settle (seen on 2026-12-01 without these wrappers too, always for a module with functions).
const modules = { unbounded: memoryModule(1), huge: memoryModule(1, PAGES_2_5_GB), small: memoryModule(1, 16), twice: memoryModule(0, 600) }

describe('IsolateExecutor: a task’s WebAssembly memories stay within a budget (its heap cap, 64 MiB here)', () => {
  let executor: IsolateExecutor
  beforeAll(() => {
    executor = new IsolateExecutor({ workers: 1, memoryLimitMb: 64 })
  })
  afterAll(() => executor.close())
  const outcome = async (which: string): Promise<unknown> => {
    const result = await executor.run(probe, { which, ...modules }, RUN)
    expect(result.kind, JSON.stringify(result)).toBe('value')
    return (result as { value: unknown }).value
  }

  it.each([
    ['unbounded memory', /^TaskMemoryError: new WebAssembly.Memory\(\) needs a maximum/],
    ['memory of 2.5 GB', /^TaskMemoryError: new WebAssembly.Memory\(\{ maximum: 40000 \}\) counts for 2500 MiB.*over the donor's budget of 64 MiB/],
    ['memory64', /^TaskMemoryError: .*64-bit memories/],
    ['two shared memories over the budget', /^TaskMemoryError: .*to 75 MiB, over the donor's budget of 64 MiB/],
    ['two memories over the budget', /^TaskMemoryError: .*to 75 MiB, over/],
    ['module, own memory unbounded', /^TaskMemoryError: a WebAssembly module that defines a memory with no maximum/],
    ['module, own memory of 2.5 GB', /^TaskMemoryError: instantiating a WebAssembly module counts for 2500 MiB/],
    ['instantiate(bytes) of 2.5 GB', /^TaskMemoryError: instantiating a WebAssembly module counts for 2500 MiB/],
    ['instantiate(module), unbounded', /^TaskMemoryError: .*no maximum/],
    ['one module instantiated twice over the budget', /^TaskMemoryError: .*to 75 MiB/],
  ])('refuses %s before allocating, with TaskMemoryError', async (which, message) => {
    expect(await outcome(which)).toMatch(message)
  })

  it('counts every memory for at least 1 MiB, so a task makes 64 of 0 pages here and no more', async () => {
    expect(await outcome('memories of 0 pages')).toBe('64 made, then TaskMemoryError')
  })

  it('lets memories within the budget grow to their maximum, and no further, from JavaScript or wasm code', async () => {
    // Memory.grow returns the old size in pages; wasm's memory.grow returns -1 when it cannot.
    expect(await outcome('within the budget')).toBe(`1 | RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded | 1 | -1 | ${16 * 65536}`)
  })

  it('leaves no way back to the unwrapped constructors, and no way past a declared maximum', async () => {
    const escapes = (await outcome('escapes')) as Record<string, unknown>
    expect(escapes).toMatchObject({
      sameConstructors: true,
      viaProto: expect.stringMatching(/^TaskMemoryError: .*needs a maximum/),
      viaExport: expect.stringMatching(/^TaskMemoryError: .*needs a maximum/),
      reflect: expect.stringMatching(/^TaskMemoryError: .*needs a maximum/),
      subclass: expect.stringMatching(/^TaskMemoryError: .*needs a maximum/),
      reassign: expect.stringMatching(/^TypeError/),
      redefineConstructor: expect.stringMatching(/^TypeError/),
      controller: 'undefined',
      growPastMaximum: expect.stringMatching(/^RangeError/),
      exportGrowPastMaximum: expect.stringMatching(/^RangeError/),
      descriptorReadOnce: expect.stringMatching(/^RangeError/),
    })
    expect(escapes.streaming === 'absent' || /^TypeError: .*not available/.test(String(escapes.streaming))).toBe(true)
  })

  it('fails a task that does not handle the refusal with TaskMemoryError (retried elsewhere), and runs the next task', async () => {
    const grower = hostile('grower', `() => new WebAssembly.Memory({ initial: 1, maximum: ${PAGES_2_5_GB} }).grow(${PAGES_2_5_GB - 1})`)
    const unbounded = hostile('unboundedModule', `({ bytes }) => new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))).exports.memory.grow(${PAGES_2_5_GB})`)
    expect(await executor.run(grower, {}, RUN)).toMatchObject({ kind: 'timeout', error: { name: 'TaskMemoryError', message: expect.stringMatching(/WebAssembly memory refused: .*2500 MiB/) } })
    expect(await executor.run(square, { x: 6 }, RUN)).toMatchObject({ kind: 'value', value: 36 })
    expect(await executor.run(unbounded, { bytes: modules.unbounded }, RUN)).toMatchObject({ kind: 'timeout', error: { name: 'TaskMemoryError', message: expect.stringMatching(/no maximum/) } })
    expect(await executor.run(square, { x: 7 }, RUN)).toMatchObject({ kind: 'value', value: 49 })
  })

  it('refuses memories outside a task (while the source is compiled)', async () => {
    const early = hostile('early', `(() => { let seen; try { seen = String(new WebAssembly.Memory({ initial: 0, maximum: 1 })) } catch (e) { seen = e.name } return () => seen })()`)
    expect(await executor.run(early, {}, RUN)).toMatchObject({ kind: 'value', value: 'TaskMemoryError' })
  })

  it('gives a fresh isolate to the next run once memories kept from earlier runs pass the budget', async () => {
    // 900 pages (56 MiB) a run, kept in the function's closure: within each run's budget, but they add up.
    const hoarder = hostile('hoarder', `(() => { const kept = []; return () => { kept.push(new WebAssembly.Memory({ initial: 0, maximum: 900 })); return kept.length } })()`)
    // An executor of its own: memories other tests left to the collector would count too.
    const own = new IsolateExecutor({ workers: 1, memoryLimitMb: 64 })
    try {
      const counts = []
      for (let run = 0; run < 4; run++) counts.push(((await own.run(hoarder, {}, RUN)) as { value: number }).value)
      expect(counts).toEqual([1, 2, 1, 2])
    } finally {
      await own.close()
    }
  })

  it('gives a fresh isolate after a run whose account never came back (its result could not be copied out)', async () => {
    // The getter gives data to the isolate's own check, then a function to the copy out, which fails outside the task.
    const slippery = hostile('slippery', `(() => { const kept = []; return ({ slip }) => {
      kept.push(new WebAssembly.Memory({ initial: 0, maximum: 900 }))
      let reads = 0
      return slip ? { get x() { return reads++ === 0 ? 1 : () => 1 } } : kept.length
    } })()`)
    const own = new IsolateExecutor({ workers: 1, memoryLimitMb: 64 })
    try {
      expect((await own.run(slippery, { slip: true }, RUN)).kind).toBe('thrown')
      expect(await own.run(slippery, { slip: false }, RUN)).toMatchObject({ kind: 'value', value: 1 })
    } finally {
      await own.close()
    }
  })
})
