import { encodeAndAddress, Identity, taskKeyOf, type CacheEntry, type Outcome, type TaskKey } from '@tessera/core'
import { simCertificate } from '@tessera/core/testing'
import type { Settled, Swarm } from '@tessera/runtime'
import type { Arena } from './arena.ts'
import { forgeEntry, rawEntry, writeRaw, type ForgeryKind } from './hostile-peers.ts'

/**
 * Overwriting the cache (issue 14; scenarios 4 and 18 of the trust notes): a
 * peer that ran nothing writes the swarm document's `cache` map directly.
 * It overwrites results an honest host computed (with wrong values, and some
 * with thrown errors) and writes entries in advance for calls nobody made.
 * Then the honest host calls again, and a fresh host with its own workers
 * calls the same; then the attacker deletes entries and the host calls again.
 */
export interface OverwriteOptions {
  readonly forgery: ForgeryKind
  /** The quorum every honest call asks for (`pure(fn, { quorum })`); undefined: the hosts' default. */
  readonly quorum?: number
  readonly overwritten?: number
  readonly thrown?: number
  readonly inAdvance?: number
  /** Keys a Sybil signs with (`forgery: 'sybil'`). */
  readonly sybils?: number
  /**
   * The one subject the Sybil keys are certified as, their certificates filed
   * in the swarm document as any peer may (what connecting each key to the
   * signaling server gets: up to 8 keys per subject). Simulator only, whose
   * server's certificates anyone can make; without it the keys have none.
   */
  readonly sybilSubject?: string
  readonly log?: (line: string) => void
}

export interface OverwriteFigures {
  readonly forgery: ForgeryKind
  readonly quorum: number | undefined
  readonly forged: number
  /** Forgeries that had reached the honest host's replica when it called again. */
  readonly arrived: number
  /** Forged values returned, or forged errors thrown, to the host that computed the results. */
  readonly servedToHost: number
  /** The same, to a fresh host with workers of its own. */
  readonly servedToFresh: number
  /** Honest calls that failed for any other reason. */
  readonly honestFlagged: number
  /** Forged keys whose cache entry is an honest, verified one after the calls. */
  readonly restored: number
  readonly deleted: number
  /** After the deletes: forged or missing values served, and honest entries back. */
  readonly servedAfterDelete: number
  readonly restoredAfterDelete: number
}

const square = ({ x }: { x: number }): number => x * x
const FORGED_ERROR = 'forged by the attacker'

function countServed(settled: ReadonlyArray<Settled<{ x: number }, number>>): { served: number; flagged: number } {
  let served = 0
  let flagged = 0
  for (const s of settled) {
    if (s.status === 'fulfilled') served += s.value === s.args.x * s.args.x ? 0 : 1
    else if (s.error.message === FORGED_ERROR) served++
    else flagged++
  }
  return { served, flagged }
}

export async function overwriteCache(arena: Arena, options: OverwriteOptions): Promise<OverwriteFigures> {
  const { forgery, quorum, overwritten = 50, thrown = 10, inAdvance = 50 } = options
  const log = options.log ?? (() => {})
  const host = await arena.host('honest-host')
  const attacker = await arena.host('mallory')
  const pure = (swarm: Swarm) => swarm.pure(square, quorum === undefined ? { name: 'square' } : { name: 'square', quorum })
  const computed = overwritten + thrown
  const xs = Array.from({ length: computed + inAdvance }, (_, x) => x)
  const args = xs.map((x) => ({ x }))
  const fn = pure(host).definition.address
  const keyOf = (x: number): TaskKey => taskKeyOf(fn, encodeAndAddress({ x }, 'args').address)

  const first = await arena.settle(pure(host).parallel(args.slice(0, computed)))
  if (first.some((value, x) => value !== x * x)) throw new Error('the honest run itself was wrong')
  // The attacker sees the honest entries it is about to steal from and overwrite.
  if (!(await arena.until(() => xs.slice(0, computed).every((x) => attacker.peer.swarm.cached(keyOf(x)) !== undefined), 20_000))) {
    throw new Error('the honest entries never reached the attacker')
  }

  const identity = attacker.peer.identity
  const sybils = Array.from({ length: options.sybils ?? quorum ?? 2 }, (_, i) => Identity.fromSeed(`sybil-${i}`))
  if (options.sybilSubject !== undefined) {
    if (arena.kind !== 'sim') throw new Error('certified Sybil keys need the simulated signaling server')
    const subject = options.sybilSubject
    writeRaw(attacker.peer, 'certs', sybils.map((sybil) => [sybil.peer, simCertificate(sybil.peer, subject)]))
  }
  const entries: Array<[TaskKey, CacheEntry]> = []
  for (const x of xs) {
    const lie: Outcome =
      x >= overwritten && x < computed
        ? { kind: 'thrown', error: { name: 'RangeError', message: FORGED_ERROR } }
        : { kind: 'value', result: await attacker.peer.values.put(-1 - x * x) }
    const other = (x + 1) % computed
    const stolen = { key: keyOf(other), entry: attacker.peer.swarm.cached(keyOf(other)) as CacheEntry }
    entries.push([keyOf(x), forgeEntry(forgery, { key: keyOf(x), lie, attacker: identity, sybils, stolen }, x)])
  }
  writeRaw(attacker.peer, 'cache', entries)
  const same = (key: TaskKey, entry: unknown): boolean => JSON.stringify(rawEntry(host.peer, 'cache', key)) === JSON.stringify(entry)
  await arena.until(() => entries.every(([key, entry]) => same(key, entry)), 20_000)
  const arrived = entries.filter(([key, entry]) => same(key, entry)).length
  log(`${forgery}: ${entries.length} forged entries written, ${arrived} reached the honest host`)

  const again = countServed(await arena.settle(pure(host).parallel(args, { settle: true })))
  const fresh = await arena.host('fresh-host', 1)
  const freshly = countServed(await arena.settle(pure(fresh).parallel(args, { settle: true })))
  const honest = async (x: number): Promise<boolean> => {
    const entry = host.peer.swarm.cached(keyOf(x))
    return entry?.kind === 'value' && (await host.peer.values.get(entry.result)) === x * x
  }
  const countHonest = async (of: readonly number[]): Promise<number> => (await Promise.all(of.map(honest))).filter(Boolean).length
  await arena.until(() => false, 2_000)
  const restored = await countHonest(xs)

  // Deletes: entries vanish everywhere; a read finds nothing, and the call runs again.
  const deleted = xs.slice(0, computed)
  writeRaw(attacker.peer, 'cache', deleted.map((x) => [keyOf(x), undefined]))
  await arena.until(() => deleted.every((x) => rawEntry(host.peer, 'cache', keyOf(x)) === undefined), 20_000)
  const afterDelete = countServed(await arena.settle(pure(host).parallel(args.slice(0, computed), { settle: true })))
  await arena.until(() => false, 2_000)
  const restoredAfterDelete = await countHonest(deleted)

  const figures: OverwriteFigures = {
    forgery,
    quorum,
    forged: entries.length,
    arrived,
    servedToHost: again.served,
    servedToFresh: freshly.served,
    honestFlagged: again.flagged + freshly.flagged + afterDelete.flagged,
    restored,
    deleted: deleted.length,
    servedAfterDelete: afterDelete.served,
    restoredAfterDelete,
  }
  log(`${forgery} at quorum ${quorum ?? 'default'}: served ${figures.servedToHost} to the host, ${figures.servedToFresh} to a fresh host; restored ${restored}/${entries.length}; after ${deleted.length} deletes, served ${figures.servedAfterDelete}, restored ${restoredAfterDelete}`)
  return figures
}
