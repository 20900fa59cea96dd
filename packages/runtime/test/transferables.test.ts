import { describe, expect, it } from 'vitest'
import { collectTransferables } from '../src/pool/index.ts'

describe('collectTransferables', () => {
  it('finds the buffers under typed arrays, DataViews and ArrayBuffers anywhere in a value, each once', () => {
    const shared = new ArrayBuffer(16)
    const a = new Float64Array(shared, 0, 1)
    const b = new Uint8Array(shared, 8, 8)
    const own = new Int32Array(2)
    const raw = new ArrayBuffer(4)
    const view = new DataView(new ArrayBuffer(2))
    const inMap = new Uint16Array(1)
    const inSet = new BigInt64Array(1)
    const value = { a, list: [b, { own }], raw, view, map: new Map<unknown, unknown>([[inMap, 'key'], ['k', a]]), set: new Set([inSet]) }
    const found = collectTransferables(value)
    expect(found).toHaveLength(6)
    expect(new Set(found)).toEqual(new Set([shared, own.buffer, raw, view.buffer, inMap.buffer, inSet.buffer]))
  })

  it('leaves out SharedArrayBuffers, empty and detached buffers, and what is not a container', () => {
    const detached = new Uint8Array(8)
    structuredClone(detached.buffer, { transfer: [detached.buffer] })
    expect(detached.buffer.byteLength).toBe(0)
    const value = {
      shared: new Int32Array(new SharedArrayBuffer(8)),
      empty: new ArrayBuffer(0),
      detached,
      primitives: [1, 'two', 3n, null, undefined, true, new Date(0)],
    }
    expect(collectTransferables(value)).toEqual([])
    expect(collectTransferables(new Float32Array(1))).toHaveLength(1)
  })

  it('survives cycles', () => {
    const cyclic: Record<string, unknown> = { v: new Uint8Array(1) }
    cyclic['self'] = cyclic
    expect(collectTransferables(cyclic)).toHaveLength(1)
  })
})
