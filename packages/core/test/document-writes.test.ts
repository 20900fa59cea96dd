import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { cacheOutcome, JobDoc, putReport, asJobId, asPeerId, SwarmDoc, addressOf, type TaskKey } from '@tessera/core'

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
    const value = { kind: 'value', result: addressOf(42) } as const
    const failure = { kind: 'failure', error: { name: 'RangeError', message: 'no' } } as const
    expect(cacheOutcome(swarm, key, failure)).toBe(true)
    expect(cacheOutcome(swarm, key, value)).toBe(true)
    expect(cacheOutcome(swarm, key, failure)).toBe(false)
    expect(swarm.cached(key)).toEqual(value)
  })

  it('keys a report by its task and its reporter, so a quorum of reports coexists', () => {
    const job = new JobDoc(asJobId('j'))
    const outcome = { kind: 'value', result: addressOf(1) } as const
    putReport(job, '3', { peer: asPeerId('a'), attempt: 1, outcome, durationMs: 1, at: 0 })
    putReport(job, '3', { peer: asPeerId('b'), attempt: 1, outcome, durationMs: 1, at: 0 })
    expect([...job.reports.keys()].sort()).toEqual(['3/a', '3/b'])
  })
})
