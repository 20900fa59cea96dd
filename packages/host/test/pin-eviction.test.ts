import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addressOfBytesAsync, type Address } from '@tessera/core'
import { planEviction, type HeldBlob, type Keep } from '../src/pin/eviction-policy.ts'
import { PinStore } from '../src/pin/pin-store.ts'
import { formatBytes, parseByteSize } from '../src/cli/byte-size.ts'

const KB = 1_000
const HOUR = 3_600_000
const now = 10 * HOUR
const blob = (name: string, size: number, usedAt: number): HeldBlob => ({ address: name as Address, size, usedAt })
const keep = (partial: Partial<Keep> = {}): Keep => ({ openJobInputs: new Set(), results: new Set(), resultWindowMs: HOUR, now, ...partial })

describe('the pinning eviction policy', () => {
  it('evicts nothing while everything fits, the incoming blob included', () => {
    const held = [blob('a', 40 * KB, 0), blob('b', 40 * KB, 1)]
    expect(planEviction(held, 100 * KB, keep(), 20 * KB)).toEqual({ evict: [], bytesAfter: 100 * KB, fits: true })
  })

  it('at the quota, drops the least recently used first, and only as many as it must', () => {
    const held = [blob('new', 30 * KB, now - 1_000), blob('oldest', 30 * KB, now - 5 * HOUR), blob('old', 30 * KB, now - 4 * HOUR), blob('recent', 30 * KB, now - 60_000)]
    const plan = planEviction(held, 100 * KB, keep(), 30 * KB)
    expect(plan).toEqual({ evict: ['oldest', 'old'], bytesAfter: 90 * KB, fits: true })
  })

  it("never drops an open job's function or arguments, however old: older unneeded blobs go instead", () => {
    const held = [blob('fn', 30 * KB, now - 9 * HOUR), blob('args', 30 * KB, now - 8 * HOUR), blob('stale', 30 * KB, now - 2 * HOUR), blob('warm', 30 * KB, now - 1_000)]
    const plan = planEviction(held, 100 * KB, keep({ openJobInputs: new Set(['fn', 'args'] as Address[]) }), 30 * KB)
    expect(plan.evict).toEqual(['stale', 'warm'])
    expect(plan.fits).toBe(true)
  })

  it('keeps a result within its window; an older result is evicted like anything else', () => {
    const held = [blob('fresh-result', 50 * KB, now - 10 * 60_000), blob('old-result', 50 * KB, now - 3 * HOUR), blob('value', 50 * KB, now - 20 * 60_000)]
    const results = new Set(['fresh-result', 'old-result'] as Address[])
    expect(planEviction(held, 100 * KB, keep({ results })).evict).toEqual(['old-result'])
    expect(planEviction(held, 50 * KB, keep({ results })).evict).toEqual(['old-result', 'value'])
  })

  it('says when what must be kept alone is over the quota', () => {
    const held = [blob('args', 80 * KB, now - HOUR), blob('spare', 10 * KB, now)]
    const plan = planEviction(held, 50 * KB, keep({ openJobInputs: new Set(['args'] as Address[]) }), 10 * KB)
    expect(plan).toEqual({ evict: ['spare'], bytesAfter: 90 * KB, fits: false })
  })
})

describe('the pinning store', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-pin-store-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('opened again on the same directory, holds the same blobs, sizes and last uses', async () => {
    const store = await PinStore.open(dir)
    const bytes = [new Uint8Array(2_000).fill(1), new Uint8Array(3_000).fill(2)]
    const addresses: Address[] = []
    for (const b of bytes) {
      const address = await addressOfBytesAsync(b)
      addresses.push(address)
      await store.put(address, b)
    }
    const servedAt = Date.now() + 120_000
    await store.used(addresses[0] as Address, servedAt)
    expect([store.count, store.bytes]).toEqual([2, 5_000])
    const again = await PinStore.open(dir)
    expect([again.count, again.bytes]).toEqual([2, 5_000])
    const held = new Map(again.held().map((b) => [b.address, b]))
    expect(held.get(addresses[0] as Address)?.usedAt).toBeCloseTo(servedAt, -2)
    expect(await again.get(addresses[1] as Address)).toEqual(bytes[1])
    await again.delete(addresses[1] as Address)
    expect([again.count, again.bytes, again.holds(addresses[1] as Address)]).toEqual([1, 2_000, false])
    expect(await readdir(join(dir, 'blobs'))).toEqual([addresses[0]])
    expect((await stat(join(dir, 'blobs', addresses[0] as string))).size).toBe(2_000)
  })
})

describe('sizes for --quota', () => {
  it('reads decimal and binary units, and refuses anything else', () => {
    expect(['10GB', '500mb', '2GiB', '1.5kB', '4096'].map(parseByteSize)).toEqual([10e9, 500e6, 2 * 2 ** 30, 1_500, 4_096])
    expect(['', '0', '-1GB', '10 parsecs', 'GB'].map(parseByteSize)).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect([0, 999, 3_240_000, 10e9].map(formatBytes)).toEqual(['0 B', '999 B', '3.2 MB', '10 GB'])
  })
})
