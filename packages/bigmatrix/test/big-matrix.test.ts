import { describe, expect, it } from 'vitest'
import { BigMatrix, BlockIndexError, DtypeMismatchError, ShapeMismatchError, type BlockInitArgs } from '../src/index.ts'
import { useOfflineSwarm } from './support/offline-swarm.ts'
import { maxAbsDiff, referenceTranspose, seededArray } from './support/reference.ts'

const offlineSwarm = useOfflineSwarm()

describe('BigMatrix: blocks in the swarm store', () => {
  it('round-trips an array through blocks that do not divide the shape evenly, and reopens from its reference', async () => {
    const swarm = await offlineSwarm()
    const data = seededArray(10 * 7, 1)
    const matrix = await BigMatrix.fromArray(swarm, data, { shape: [10, 7], blockShape: [4, 3] })
    expect(matrix.grid).toEqual([3, 3])
    expect(matrix.blockDims(2, 2)).toEqual([2, 1])
    expect(maxAbsDiff(await matrix.toArray({ workers: 2 }), data)).toBe(0)
    const corner = await matrix.getBlock(2, 2)
    expect(Array.from(corner)).toEqual([data[8 * 7 + 6], data[9 * 7 + 6]])

    expect(typeof matrix.ref).toBe('string')
    expect(JSON.stringify({ m: matrix })).toBe(JSON.stringify({ m: matrix.ref }))
    const reopened = await BigMatrix.open(swarm, matrix.ref)
    expect(reopened.shape).toEqual([10, 7])
    expect(maxAbsDiff(await reopened.toArray(), data)).toBe(0)
  })

  it('puts and deletes blocks immutably: each change is a new matrix with a new reference', async () => {
    const swarm = await offlineSwarm()
    const empty = await BigMatrix.create(swarm, { shape: [5, 5], blockShape: [2, 2], dtype: 'float32' })
    // Blocks never put read as zeros.
    expect(Array.from(await empty.getBlock(0, 0))).toEqual([0, 0, 0, 0])
    const block = new Float32Array([1, 2, 3, 4])
    const put = await empty.putBlock(block, 1, 0)
    expect(put.ref).not.toBe(empty.ref)
    expect(Array.from(await put.getBlock(1, 0))).toEqual([1, 2, 3, 4])
    expect(Array.from(await empty.getBlock(1, 0))).toEqual([0, 0, 0, 0])
    const edge = await put.putBlock(new Float32Array([5, 6]), 2, 0)
    expect(Array.from(await edge.getBlock(2, 0))).toEqual([5, 6])
    const deleted = await edge.deleteBlock(1, 0)
    expect(Array.from(await deleted.getBlock(1, 0))).toEqual([0, 0, 0, 0])
    expect(Array.from(await deleted.getBlock(2, 0))).toEqual([5, 6])
    const freed = await edge.free()
    expect(freed.shape).toEqual([5, 5])
    expect(Array.from(await freed.getBlock(2, 0))).toEqual([0, 0])
    expect(Array.from(await edge.getBlock(2, 0))).toEqual([5, 6])
  })

  it('raises named errors for bad indices, shapes and element types', async () => {
    const swarm = await offlineSwarm()
    const matrix = await BigMatrix.create(swarm, { shape: [5, 5], blockShape: [2, 2] })
    await expect(matrix.getBlock(3, 0)).rejects.toBeInstanceOf(BlockIndexError)
    await expect(matrix.getBlock(0, -1)).rejects.toMatchObject({ name: 'BlockIndexError' })
    await expect(matrix.putBlock(new Float64Array(4), 0, 1.5)).rejects.toBeInstanceOf(BlockIndexError)
    await expect(matrix.putBlock(new Float64Array(3), 0, 0)).rejects.toBeInstanceOf(ShapeMismatchError)
    await expect(matrix.putBlock(new Float64Array(4), 2, 2)).rejects.toMatchObject({ name: 'ShapeMismatchError', message: expect.stringContaining('1×1') })
    await expect(matrix.putBlock(new Float32Array(4), 0, 0)).rejects.toBeInstanceOf(DtypeMismatchError)
    await expect(matrix.putBlock([1, 2, 3, 4] as unknown as Float64Array, 0, 0)).rejects.toBeInstanceOf(DtypeMismatchError)
    await expect(BigMatrix.create(swarm, { shape: [0, 5], blockShape: [2, 2] })).rejects.toBeInstanceOf(ShapeMismatchError)
    await expect(BigMatrix.create(swarm, { shape: [5, 5], blockShape: [2, 2], dtype: 'int8' as 'float64' })).rejects.toBeInstanceOf(DtypeMismatchError)
    await expect(BigMatrix.fromArray(swarm, new Float64Array(7), { shape: [2, 3], blockShape: [2, 2] })).rejects.toBeInstanceOf(ShapeMismatchError)
    expect(() => matrix.blockDims(0, 3)).toThrow(BlockIndexError)
  })

  it('.T is a view over the same blocks: shapes, blocks and puts are transposed, nothing is copied', async () => {
    const swarm = await offlineSwarm()
    const data = seededArray(6 * 9, 2)
    const matrix = await BigMatrix.fromArray(swarm, data, { shape: [6, 9], blockShape: [4, 5] })
    const t = matrix.T
    expect(t.shape).toEqual([9, 6])
    expect(t.blockShape).toEqual([5, 4])
    expect(t.grid).toEqual([2, 2])
    expect(t.header.blocks).toBe(matrix.header.blocks)
    expect(maxAbsDiff(await t.toArray(), referenceTranspose(6, 9, data))).toBe(0)
    const block = await t.getBlock(1, 0)
    expect(t.blockDims(1, 0)).toEqual([4, 4])
    expect(maxAbsDiff(block, referenceTranspose(4, 4, await matrix.getBlock(0, 1)))).toBe(0)
    expect(t.T.ref).toBe(matrix.ref)
    const changed = await t.putBlock(Float64Array.from({ length: 16 }, (_, i) => i), 1, 0)
    const original = await (await BigMatrix.open(swarm, await changed.saved())).T.getBlock(0, 1)
    expect(Array.from(original)).toEqual(Array.from(referenceTranspose(4, 4, Float64Array.from({ length: 16 }, (_, i) => i))))
  })

  it('makes lazy blocks with an init function, once: later reads and other handles hit the cache', async () => {
    const swarm = await offlineSwarm()
    const fill = swarm.pure(
      ({ i, j, rows, cols, params }: BlockInitArgs<{ base: number }>) => Float64Array.from({ length: rows * cols }, () => params.base + 10 * i + j),
      { name: 'test.fill' },
    )
    const matrix = await BigMatrix.create(swarm, { shape: [5, 3], blockShape: [2, 2], init: fill, params: { base: 100 } })
    const before = swarm.status().executed
    expect(Array.from(await matrix.getBlock(2, 1))).toEqual([121])
    expect(swarm.status().executed).toBe(before + 1)
    expect(Array.from(await matrix.getBlock(2, 1))).toEqual([121])
    expect(swarm.status().executed).toBe(before + 1)
    const reopened = await BigMatrix.open(swarm, matrix.ref)
    const all = await reopened.toArray()
    expect(Array.from(all)).toEqual([100, 100, 101, 100, 100, 101, 110, 110, 111, 110, 110, 111, 120, 120, 121])
    // Five more blocks were made, in one wave; the one read before came from the cache.
    expect(swarm.status().executed).toBe(before + 6)
    await reopened.toArray()
    expect(swarm.status().executed).toBe(before + 6)
  })

  it('random matrices are seeded, lazily made, and symmetric on request', async () => {
    const swarm = await offlineSwarm()
    const a = await BigMatrix.random(swarm, { shape: [9, 9], blockShape: [4, 4], params: { seed: 7, symmetric: true, diagonal: 9 } })
    const b = await BigMatrix.random(swarm, { shape: [9, 9], blockShape: [3, 3], params: { seed: 7, symmetric: true, diagonal: 9 } })
    const x = await a.toArray()
    expect(maxAbsDiff(x, await b.toArray())).toBe(0)
    expect(maxAbsDiff(x, referenceTranspose(9, 9, x))).toBe(0)
    expect(x[0]).toBeGreaterThan(8)
    const other = await BigMatrix.random(swarm, { shape: [9, 9], blockShape: [4, 4], params: { seed: 8 } })
    expect(maxAbsDiff(x, await other.toArray())).toBeGreaterThan(0)
  })
})
