import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addHolder, cacheOutcome, keysAsSubjects, JobDoc, putReport, removeHolder, asJobId, SwarmDoc, addressOf, Identity, type PeerId, type TaskKey } from '@tessera/core'
import { signedCacheEntry, signedReport } from '@tessera/core/testing'

const root = join(import.meta.dirname, '..', '..', '..')
const OWNER = 'packages/core/src/swarm/writes.ts'
/** The typed readers: the only places that name the documents' maps. */
const READERS = ['packages/core/src/swarm/swarm-doc.ts', 'packages/core/src/swarm/job-doc.ts']
/** A test fixture's own document, not a swarm or job document. */
const FIXTURES = ['packages/mesh/src/testing/large-doc.ts']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'dist') return []
    if (statSync(path).isDirectory()) return sources(path)
    return path.endsWith('.ts') ? [relative(root, path)] : []
  })
}

const productionSources = [
  ...readdirSync(join(root, 'packages')).flatMap((pkg) => {
    const src = join(root, 'packages', pkg, 'src')
    return statSync(src, { throwIfNoEntry: false })?.isDirectory() === true ? sources(src) : []
  }),
  ...sources(join(root, 'signaling', 'src')),
  ...sources(join(root, 'apps')),
]

describe('one owner of the shared documents', () => {
  it('names the documents maps only in their typed readers, and makes them writable only in swarm/writes.ts', () => {
    expect(productionSources.length).toBeGreaterThan(50)
    const offenders: string[] = []
    for (const file of productionSources) {
      const text = readFileSync(join(root, file), 'utf8')
      if (/\.getMap\(/.test(text) && !READERS.includes(file) && !FIXTURES.includes(file)) offenders.push(`${file}: getMap`)
      if (/as unknown as Y\.Map/.test(text) && file !== OWNER) offenders.push(`${file}: casts a map back to Y.Map`)
    }
    expect(offenders).toEqual([])
  })

  it('follows the merge rule on every write to the cache: a value is never replaced by a failure', () => {
    const swarm = new SwarmDoc(new Y.Doc())
    const key = addressOf('call') as string as TaskKey
    const [a, b] = [Identity.fromSeed('a'), Identity.fromSeed('b')]
    const value = signedCacheEntry([a], key, { kind: 'value', result: addressOf(42) })
    const failure = signedCacheEntry([a, b], key, { kind: 'thrown', error: { name: 'RangeError', message: 'no' } })
    expect(cacheOutcome(swarm, key, failure, keysAsSubjects)).toBe(true)
    expect(cacheOutcome(swarm, key, value, keysAsSubjects)).toBe(true)
    expect(cacheOutcome(swarm, key, failure, keysAsSubjects)).toBe(false)
    expect(swarm.cached(key)).toEqual(value)
  })

  it('merges the signers of one outcome, and lets a different outcome win only with more signers', () => {
    const swarm = new SwarmDoc(new Y.Doc())
    const key = addressOf('call') as string as TaskKey
    const [a, b, c, m] = ['a', 'b', 'c', 'm'].map((name) => Identity.fromSeed(name)) as [Identity, Identity, Identity, Identity]
    const honest = { kind: 'value', result: addressOf(42) } as const
    const forged = { kind: 'value', result: addressOf(666) } as const
    expect(cacheOutcome(swarm, key, signedCacheEntry([m], key, forged), keysAsSubjects)).toBe(true)
    expect(cacheOutcome(swarm, key, signedCacheEntry([a], key, honest), keysAsSubjects)).toBe(false)
    expect(cacheOutcome(swarm, key, signedCacheEntry([a, b], key, honest), keysAsSubjects)).toBe(true)
    expect(swarm.cached(key)?.proofs.map((p) => p.peer)).toEqual([a.peer, b.peer])
    expect(cacheOutcome(swarm, key, signedCacheEntry([b, c], key, honest), keysAsSubjects)).toBe(true)
    expect(swarm.cached(key)?.proofs.map((p) => p.peer)).toEqual([a.peer, b.peer, c.peer])
    expect(cacheOutcome(swarm, key, signedCacheEntry([a, c], key, honest), keysAsSubjects)).toBe(false)
  })

  it('withdraws one holder of a blob and leaves the others', () => {
    const swarm = new SwarmDoc(new Y.Doc())
    const address = addressOf({ blob: 1 })
    const [pin, tab] = ['kpin', 'ktab'] as PeerId[]
    addHolder(swarm, address, tab as PeerId, 1)
    addHolder(swarm, address, pin as PeerId, 2)
    expect(swarm.holdersOf(address)).toEqual([pin, tab])
    removeHolder(swarm, address, pin as PeerId)
    removeHolder(swarm, address, pin as PeerId)
    expect(swarm.holdersOf(address)).toEqual([tab])
  })

  it('keys a report by its task and its reporter, so a quorum of reports coexists', () => {
    const job = new JobDoc(asJobId('j'))
    const outcome = { kind: 'value', result: addressOf(1) } as const
    const key = addressOf('call') as string as TaskKey
    const [a, b] = [Identity.fromSeed('a'), Identity.fromSeed('b')]
    putReport(job, '3', signedReport(a, key, outcome))
    putReport(job, '3', signedReport(b, key, outcome))
    expect([...job.reports.keys()].sort()).toEqual([`3/${a.peer}`, `3/${b.peer}`].sort())
  })
})
