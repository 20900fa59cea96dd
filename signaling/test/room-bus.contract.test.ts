/**
 * One contract, two adapters: what the cluster needs of a bus holds for the
 * in-process one and for Redis (a real redis-server, started here).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MemoryBusNetwork } from '../src/bus/memory-bus.ts'
import { RedisBus } from '../src/bus/redis-bus.ts'
import type { BusListener, PresenceSnapshot, RoomBus } from '../src/bus/room-bus.ts'
import { startTestRedis, type TestRedis } from '../src/testing/redis-server.ts'
import { until } from './support/until.ts'

const TIMING = { heartbeatMs: 100, ttlMs: 400 }

class Recorder implements BusListener {
  readonly messages: Array<{ readonly from: string; readonly body: string }> = []
  readonly gones: string[] = []
  message(from: string, body: string): void {
    this.messages.push({ from, body })
  }
  gone(instance: string): void {
    this.gones.push(instance)
  }
  bodies(): string[] {
    return this.messages.map((m) => m.body)
  }
}

interface Started {
  readonly bus: RoomBus
  readonly heard: Recorder
  readonly snapshot: PresenceSnapshot
}

function contract(name: string, setup: () => { make: () => RoomBus; beforeAll?: () => Promise<void>; afterAll?: () => Promise<void> }): void {
  describe(`room bus contract: ${name}`, () => {
    const adapter = setup()
    const started: RoomBus[] = []
    beforeAll(async () => adapter.beforeAll?.())
    afterAll(async () => adapter.afterAll?.())
    afterEach(async () => {
      await Promise.all(started.splice(0).map((bus) => bus.close()))
    })

    async function start(): Promise<Started> {
      const bus = adapter.make()
      started.push(bus)
      const heard = new Recorder()
      const snapshot = await bus.start(heard)
      return { bus, heard, snapshot }
    }

    it('carries a message to every other instance, or to the one named, in order and never back to its sender', async () => {
      const [a, b, c] = [await start(), await start(), await start()]
      a.bus.publish('one')
      a.bus.publish('two')
      a.bus.publish('for b', b.bus.instance)
      await until(() => b.heard.messages.length === 3 && c.heard.messages.length === 2)
      expect(b.heard.messages).toEqual([
        { from: a.bus.instance, body: 'one' },
        { from: a.bus.instance, body: 'two' },
        { from: a.bus.instance, body: 'for b' },
      ])
      // c got the broadcasts only, and a heard nothing of its own.
      c.bus.publish('sync', a.bus.instance)
      await until(() => a.heard.messages.length === 1)
      expect(c.heard.bodies()).toEqual(['one', 'two'])
      expect(a.heard.bodies()).toEqual(['sync'])
    })

    it('hands a starting instance the entries the live ones hold, deletions applied', async () => {
      const a = await start()
      a.bus.put('p1', 'alpha')
      a.bus.put('p2', 'beta')
      a.bus.put('p1', undefined)
      a.bus.put('p3', 'gamma')
      // A round trip through the bus: a's writes went out before this message did.
      const b = await start()
      a.bus.publish('flushed', b.bus.instance)
      await until(() => b.heard.messages.length === 1)
      const c = await start()
      expect(c.snapshot.get(a.bus.instance)).toEqual(new Map([['p2', 'beta'], ['p3', 'gamma']]))
      expect(c.snapshot.has(c.bus.instance)).toBe(false)
    })

    it('tells the others at once when an instance closes, and its entries go with it', async () => {
      const [a, b] = [await start(), await start()]
      a.bus.put('k', 'v')
      await a.bus.close()
      await until(() => b.heard.gones.includes(a.bus.instance))
      const c = await start()
      expect(c.snapshot.has(a.bus.instance)).toBe(false)
    })

    it('declares a crashed instance gone within its TTL, and its entries expire', async () => {
      const [a, b] = [await start(), await start()]
      a.bus.put('k', 'v')
      // b has heard from a, so it knows a lived.
      a.bus.publish('alive', b.bus.instance)
      await until(() => b.heard.bodies().includes('alive'))
      const crashedAt = Date.now()
      a.bus.crash()
      await until(() => b.heard.gones.includes(a.bus.instance), 3_000)
      // Not before its TTL ran out, and no later than a TTL and two heartbeats.
      expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(TIMING.ttlMs - TIMING.heartbeatMs)
      expect(Date.now() - crashedAt).toBeLessThan(TIMING.ttlMs + 3 * TIMING.heartbeatMs + 500)
      const c = await start()
      expect(c.snapshot.has(a.bus.instance)).toBe(false)
      // The survivors still talk.
      b.bus.publish('still here')
      await until(() => c.heard.bodies().includes('still here'))
    })
  })
}

contract('memory', () => {
  const network = new MemoryBusNetwork(TIMING)
  return { make: () => network.bus() }
})

contract('redis', () => {
  let redis: TestRedis | undefined
  return {
    beforeAll: async () => {
      redis = await startTestRedis()
    },
    afterAll: async () => redis?.stop(),
    make: () => {
      if (redis === undefined) throw new Error('redis-server not started')
      return new RedisBus({ url: redis.url, ...TIMING })
    },
  }
})
