import * as prng from 'lib0/prng'
import { afterEach, describe, expect, it } from 'vitest'
import { addressOf, cacheOutcome, Identity, mergeCached, taskKeyOf, type CacheEntry, type Outcome, type PeerId, type SubjectOf, type TaskKey } from '@tessera/core'
import { signedCacheEntry, simCertificate, SimClock, SimPeer, SimulatedNetwork } from '@tessera/core/testing'
import { writeRaw } from './support/forge.ts'

/**
 * The cache merge rule weighs entries by distinct subjects, as readers count
 * quorum, so an entry that Sybil keys of one attacker signed gives way to an
 * honest entry of more subjects (issue 14; docs/trust.md). Subjects come from
 * the real `Subjects` of a simulated peer: certificates the simulated
 * signaling server issued, kept in the swarm document's `certs` map.
 */

const key: TaskKey = taskKeyOf(addressOf('square'), addressOf({ x: 7 }))
const honest: Outcome = { kind: 'value', result: addressOf(49) }
const lie: Outcome = { kind: 'value', result: addressOf(-49) }
const id = (name: string): Identity => Identity.fromSeed(`merge-test ${name}`)
const [alice, bob, carol, dave, colluder] = ['alice', 'bob', 'carol', 'dave', 'colluder'].map(id) as [Identity, Identity, Identity, Identity, Identity]
/** Keys one attacker holds, all certified as the one subject `mallory` (the server caps keys per subject, not at 1). */
const mallory = [0, 1, 2].map((i) => id(`mallory-${i}`))

let closing: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closing.splice(0)) await close()
})

/** A peer whose `Subjects` knows the certificates of `certified` (signer → subject); every other key has none. */
function readerKnowing(certified: ReadonlyArray<readonly [Identity, string]>): { peer: SimPeer; subjectOf: SubjectOf; learn(signer: Identity, subject: string): void } {
  const clock = new SimClock()
  const peer = new SimPeer({ name: 'merge-test reader', network: new SimulatedNetwork(clock, prng.create(1)), clock, random: prng.create(2) })
  closing.push(() => peer.close())
  // A certificate proves itself, so anyone may file it; a raw write stands for one that arrived from the mesh.
  const learn = (signer: Identity, subject: string): void => writeRaw(peer.swarm.certs, signer.peer, simCertificate(signer.peer, subject))
  for (const [signer, subject] of certified) learn(signer, subject)
  const subjects = peer.jobs.subjects
  return { peer, subjectOf: (p: PeerId) => subjects.subjectOf(p), learn }
}

const everyone: Array<readonly [Identity, string]> = [
  [alice, 'alice'],
  [bob, 'bob'],
  [carol, 'carol'],
  [colluder, 'colluder'],
  ...mallory.map((key) => [key, 'mallory'] as const),
]

function resultOf(entry: CacheEntry | undefined): string | undefined {
  return entry?.kind === 'value' ? entry.result : undefined
}

describe('the cache merge rule counts subjects, not keys', () => {
  it.each([2, 3])('an entry %i keys of one subject signed gives way to 2 honest subjects, and is never served at quorum 2', (keys) => {
    const { peer, subjectOf } = readerKnowing(everyone)
    const quorum2 = { quorum: 2, trusted: new Set<PeerId>(), subjectOf }
    writeRaw(peer.swarm.cacheShards.legacy!, key, signedCacheEntry(mallory.slice(0, keys), key, lie))
    expect(resultOf(peer.swarm.cached(key))).toBe(lie.result)
    expect(peer.swarm.cached(key, quorum2)).toBeUndefined()
    // Counting keys, 2 honest signers lost to 2 or 3 Sybil ones.
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([alice, bob], key, honest), subjectOf)).toBe(true)
    expect(resultOf(peer.swarm.cached(key, quorum2))).toBe(honest.result)
  })

  it('keys without a certificate weigh nothing: one honest subject displaces any number of them', () => {
    const { peer, subjectOf } = readerKnowing(everyone)
    const uncertified = [0, 1, 2, 3].map((i) => id(`sybil-${i}`))
    writeRaw(peer.swarm.cacheShards.legacy!, key, signedCacheEntry(uncertified, key, lie))
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([alice], key, honest), subjectOf)).toBe(true)
    expect(resultOf(peer.swarm.cached(key))).toBe(honest.result)
  })

  it('an entry that carries a second real subject is not displaced by one honest subject, nor by two with fewer signers; three displace it', () => {
    const { peer, subjectOf } = readerKnowing(everyone)
    const twoSubjects = signedCacheEntry([mallory[0]!, mallory[1]!, colluder], key, lie)
    writeRaw(peer.swarm.cacheShards.legacy!, key, twoSubjects)
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([alice], key, honest), subjectOf)).toBe(false)
    // As many subjects: the tie goes by signers with a subject, 3 to 2, as before subjects.
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([alice, bob], key, honest), subjectOf)).toBe(false)
    expect(peer.swarm.cached(key)).toEqual(twoSubjects)
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([alice, bob, carol], key, honest), subjectOf)).toBe(true)
    expect(resultOf(peer.swarm.cached(key))).toBe(honest.result)
  })

  it('a subject learned later counts from then on: the next write restores the honest entry, nothing rewrites it by itself', () => {
    const { peer, subjectOf, learn } = readerKnowing(everyone)
    writeRaw(peer.swarm.cacheShards.legacy!, key, signedCacheEntry([mallory[0]!, mallory[1]!], key, lie))
    // Dave's certificate has not arrived: his key counts for none, so alice + dave is one subject against one.
    const entry = signedCacheEntry([alice, dave], key, honest)
    expect(cacheOutcome(peer.swarm, key, entry, subjectOf)).toBe(false)
    learn(dave, 'dave')
    expect(resultOf(peer.swarm.cached(key))).toBe(lie.result)
    expect(cacheOutcome(peer.swarm, key, entry, subjectOf)).toBe(true)
    expect(resultOf(peer.swarm.cached(key))).toBe(honest.result)
  })

  it('an entry full of one subject\'s keys still takes a new subject\'s proof for the same outcome', () => {
    const { peer, subjectOf } = readerKnowing(everyone)
    // The cap is 64 proofs; an attacker who copies the honest outcome can fill it with uncertified keys.
    const filler = Array.from({ length: 64 }, (_, i) => id(`filler-${i}`))
    writeRaw(peer.swarm.cacheShards.legacy!, key, signedCacheEntry(filler, key, honest))
    const quorum2 = { quorum: 2, trusted: new Set<PeerId>(), subjectOf }
    expect(peer.swarm.cached(key, quorum2)).toBeUndefined()
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([alice, bob], key, honest), subjectOf)).toBe(true)
    const proofs = peer.swarm.cached(key, quorum2)?.proofs.map((p) => p.peer)
    expect(proofs).toHaveLength(64)
    expect(proofs).toEqual(expect.arrayContaining([alice.peer, bob.peer]))
    // A third key of a subject already counted brings nothing that fits: no write.
    expect(cacheOutcome(peer.swarm, key, signedCacheEntry([id('filler-64')], key, honest), subjectOf)).toBe(false)
  })

  it('two honest writers with the same view of subjects never undo each other, whatever order their entries arrive in', () => {
    const { subjectOf } = readerKnowing(everyone)
    const other: Outcome = { kind: 'value', result: addressOf(50) }
    const entries = [
      signedCacheEntry([alice, bob], key, honest),
      signedCacheEntry([carol, colluder], key, other),
      signedCacheEntry([mallory[0]!, mallory[1]!, mallory[2]!], key, lie),
      signedCacheEntry([carol], key, honest),
    ]
    for (const first of entries) {
      for (const second of entries) {
        let current: CacheEntry | undefined = first
        let writes = 0
        // Each writer offers its entry again and again, as repeated work would.
        for (let round = 0; round < 4; round++) {
          for (const offered of [first, second]) {
            const merged = mergeCached(current, offered, subjectOf)
            if (merged !== undefined) {
              current = merged
              writes++
            }
          }
        }
        expect(writes, 'a write loop').toBeLessThanOrEqual(2)
      }
    }
  })
})
