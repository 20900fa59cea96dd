// A pinning host at its quota, over a real mesh: an open job's arguments stay
// on its disk while the oldest values it holds make room for new ones, and an
// evicted blob's holder entry is withdrawn and the blob not fetched again.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { INLINE_VALUE_LIMIT, type Address } from '@tessera/core'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { PinningHost } from '../src/pin/pinning-host.ts'

const ROOM = 'pin-quota'
let signaling: SignalingServer | undefined
let writer: Swarm | undefined
let pin: PinningHost | undefined
let dir: string | undefined

afterAll(async () => {
  await pin?.close()
  await writer?.close()
  await signaling?.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('a pinning host at its quota', () => {
  it("keeps an open job's arguments and evicts the least recently used values, withdrawing its holder entries", async () => {
    signaling = await startSignalingServer({ port: 0 })
    dir = await mkdtemp(join(tmpdir(), 'tessera-pin-quota-'))
    writer = await connect({ signaling: signaling.url, room: ROOM, workers: 0, cacheDir: false, adaptive: false })
    // Room for four blobs of about 3 kB: the job's two arguments, and two values.
    pin = await PinningHost.start({ signaling: signaling.url, room: ROOM, dir, quotaBytes: 12_500, retryMs: 100 })
    const swarm = writer.peer.swarm
    const listedBlobs = (): Address[] => [...swarm.values.keys()].filter((key) => (swarm.value(key as Address)?.size ?? 0) > INLINE_VALUE_LIMIT) as Address[]
    const pinHolds = (address: Address): boolean => swarm.holdersOf(address).includes((pin as PinningHost).peer.id)

    // Nobody has workers: the job stays open, and its arguments (blobs) are what it needs.
    const length = writer.pure(({ pad }: { n: number; pad: string }) => pad.length, { name: 'test:length' })
    await Promise.all([1, 2].map((n) => length.submit({ n, pad: `${n}`.repeat(3_000) })))
    const jobArgs = listedBlobs()
    expect(jobArgs).toHaveLength(2)
    await until(() => jobArgs.every(pinHolds) && pin?.stats().openTasks === 2, 'the pinning host holds the arguments and knows the tasks')

    const values: Address[] = []
    for (const i of [1, 2, 3, 4, 5]) {
      const address = await writer.peer.values.put({ i, pad: 'v'.repeat(3_000) })
      values.push(address)
      await until(() => pinHolds(address), `the pinning host holds value ${i}`)
    }
    await until(() => values.slice(0, 3).every((address) => !pinHolds(address)), 'the three oldest values are withdrawn')

    const stats = pin.stats()
    // submit() publishes one job per call.
    expect(stats).toMatchObject({ blobs: 4, evicted: 3, fetched: 7, openJobs: 2 })
    expect(stats.bytes).toBeLessThanOrEqual(12_500)
    expect(jobArgs.every(pinHolds)).toBe(true)
    expect(new Set(await readdir(join(dir, ROOM, 'blobs')))).toEqual(new Set([...jobArgs, values[3], values[4]]))

    // Still listed, and the writer still holds them: they are not fetched again.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(pin.stats()).toMatchObject({ fetched: 7, evicted: 3, missing: 3 })
  }, 30_000)
})
