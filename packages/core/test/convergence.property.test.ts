import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { asPeerId, DocReplicator } from '@tessera/core'
import { SimClock, SimulatedNetwork } from '@tessera/core/testing'

/**
 * Trust scenario 17: random operations with random delivery across N documents.
 * Each seed draws its own swarm (2–5 replicas), network (delays, loss up to 30%,
 * reordering) and links that go down and come back, and 10–40 random operations
 * spread over the first two seconds. Once every link is up, every replica must
 * converge and match a model:
 * - `owned`: each replica writes (sets and deletes) only its own keys, so the
 *   model is the plain sequential map of each owner's writes in order;
 * - `log`: every replica appends and removes its own unique tokens, so the
 *   model is the set of tokens appended and not removed, with no duplicate;
 * - `shared`: every replica writes the same few keys concurrently; no
 *   sequential model applies, so the model is a reference document that was
 *   handed every update directly, in the order they were made.
 * 200 seeds in `npm test` (about 2.5 s); `TESSERA_CONVERGENCE_SEEDS=1000` runs the full scenario.
 */
const SEEDS = Number(process.env.TESSERA_CONVERGENCE_SEEDS ?? 200)

interface Model {
  readonly owned: Map<string, number>
  readonly log: Set<string>
}

async function checkSeed(seed: number): Promise<void> {
  const random = prng.create(seed)
  const clock = new SimClock()
  const network = new SimulatedNetwork(clock, random, {
    minDelayMs: 0,
    maxDelayMs: prng.int32(random, 1, 200),
    dropRate: prng.real53(random) * 0.3,
    reorderRate: prng.real53(random) * 0.5,
  })
  const reference = new Y.Doc({ guid: 'doc' })
  const model: Model = { owned: new Map(), log: new Set() }
  const replicas = Array.from({ length: prng.int32(random, 2, 5) }, (_, i) => {
    const doc = new Y.Doc({ guid: 'doc' })
    doc.clientID = i + 1
    doc.on('update', (update: Uint8Array) => Y.applyUpdate(reference, update))
    const replicator = new DocReplicator({
      transport: network.join(asPeerId(`r${i}`)),
      clock,
      syncIntervalMs: 500,
      random: () => prng.real53(random),
    })
    replicator.add(doc)
    return { name: `r${i}`, doc, replicator, tokens: [] as string[] }
  })
  const names = replicas.map((r) => asPeerId(r.name))
  const operations = prng.int32(random, 10, 40)
  let nextToken = 0
  for (let n = 0; n < operations; n++) {
    clock.setTimeout(() => {
      const replica = replicas[prng.int32(random, 0, replicas.length - 1)] as (typeof replicas)[number]
      const { doc } = replica
      const roll = prng.real53(random)
      if (roll < 0.3) {
        const key = `${replica.name}:${prng.int32(random, 0, 3)}`
        const value = prng.int32(random, 0, 1_000)
        doc.getMap<number>('owned').set(key, value)
        model.owned.set(key, value)
      } else if (roll < 0.4) {
        const key = `${replica.name}:${prng.int32(random, 0, 3)}`
        doc.getMap<number>('owned').delete(key)
        model.owned.delete(key)
      } else if (roll < 0.65) {
        const token = `${replica.name}#${nextToken++}`
        const log = doc.getArray<string>('log')
        log.insert(prng.int32(random, 0, log.length), [token])
        replica.tokens.push(token)
        model.log.add(token)
      } else if (roll < 0.75) {
        // Removes one of its own tokens, if this replica still sees it.
        const token = replica.tokens.splice(prng.int32(random, 0, replica.tokens.length), 1)[0]
        const log = doc.getArray<string>('log')
        const at = token === undefined ? -1 : log.toArray().indexOf(token)
        if (token !== undefined && at >= 0) {
          log.delete(at, 1)
          model.log.delete(token)
        } else if (token !== undefined) replica.tokens.push(token)
      } else {
        doc.getMap<number>('shared').set(`k${prng.int32(random, 0, 2)}`, prng.int32(random, 0, 1_000))
      }
    }, prng.int32(random, 0, 2_000))
  }
  // Links go down and come back while the operations are made; all are up again by 3 s.
  const flaps = prng.int32(random, 0, 6)
  for (let n = 0; n < flaps; n++) {
    const a = names[prng.int32(random, 0, names.length - 1)] as ReturnType<typeof asPeerId>
    const b = names[prng.int32(random, 0, names.length - 1)] as ReturnType<typeof asPeerId>
    const at = prng.int32(random, 0, 2_000)
    clock.setTimeout(() => network.disconnect(a, b), at)
    clock.setTimeout(() => network.reconnect(a, b), at + prng.int32(random, 100, 1_000))
  }
  const expected = (): string => snapshot(reference)
  const converged = (): boolean => clock.now() > 3_000 && replicas.every((r) => snapshot(r.doc) === expected())
  // Ticks so that `converged` is looked at even while no message is in flight.
  const poll = (): void => void clock.setTimeout(poll, 250)
  poll()
  try {
    await clock.runUntil(converged, 120_000)
  } catch (error) {
    throw new Error(`seed ${seed}: ${(error as Error).message}\nmodel ${expected()}\n${replicas.map((r) => `${r.name} ${snapshot(r.doc)}`).join('\n')}`)
  } finally {
    for (const r of replicas) r.replicator.close()
  }
  for (const { doc } of replicas) {
    expect(Object.fromEntries([...doc.getMap<number>('owned').entries()].sort()), `seed ${seed}`).toEqual(Object.fromEntries([...model.owned].sort()))
    const log = doc.getArray<string>('log').toArray()
    expect(new Set(log).size, `seed ${seed}: a token twice`).toBe(log.length)
    expect([...log].sort(), `seed ${seed}`).toEqual([...model.log].sort())
  }
}

describe('trust scenario 17: random operations with random delivery converge and match a model', () => {
  it(`holds over ${SEEDS} seeds`, async () => {
    const started = clock()
    for (let seed = 1; seed <= SEEDS; seed++) await checkSeed(seed)
    console.log(`[trust] scenario 17: ${SEEDS} of ${SEEDS} seeds converged and matched the model (2–5 replicas, up to 30% loss, link flaps) in ${((clock() - started) / 1000).toFixed(1)} s`)
  })
})

/** The whole content, by name (`Y.Doc.toJSON` leaves out types a replica never asked for), map keys sorted (a Y.Map iterates in arrival order). */
function snapshot(doc: Y.Doc): string {
  const sorted = (name: string): unknown[] => [...doc.getMap(name).entries()].sort(([a], [b]) => (a < b ? -1 : 1))
  return JSON.stringify([sorted('owned'), doc.getArray('log').toJSON(), sorted('shared')])
}

function clock(): number {
  return performance.now()
}
