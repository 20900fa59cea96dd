import { describe, expect, it } from 'vitest'
import { addressOf, clustersOf, Identity, taskKeyOf, type Address, type Outcome, type Value } from '@tessera/core'
import { signedReport } from '@tessera/core/testing'

const key = taskKeyOf(addressOf('fn'), addressOf({ x: 1 }))
const report = (name: string, outcome: Outcome) => signedReport(Identity.fromSeed(name), key, outcome)
const valueOutcome = (value: Value): Outcome => ({ kind: 'value', result: addressOf(value) })
const values = new Map<Address, Value>([0.3, 0.30000000000000004, 0.31].map((v) => [addressOf(v), v]))
const valueOf = (address: Address) => (values.has(address) ? { value: values.get(address) as Value } : undefined)
const close = (a: Value, b: Value) => Math.abs((a as number) - (b as number)) < 1e-9

describe('clustersOf', () => {
  it('joins values the caller\'s compare finds equal, under the smallest outcome id, and keeps the others apart', () => {
    const reports = [report('a', valueOutcome(0.3)), report('b', valueOutcome(0.30000000000000004)), report('c', valueOutcome(0.31))]
    const clusters = clustersOf(reports, close, valueOf)
    expect(Array.isArray(clusters)).toBe(true)
    const sorted = (clusters as Exclude<typeof clusters, { missing: Address[] }>).map((c) => c.reports.map((r) => r.peer).sort())
    expect(sorted).toContainEqual([Identity.fromSeed('a').peer, Identity.fromSeed('b').peer].sort())
    expect(sorted).toContainEqual([Identity.fromSeed('c').peer])
    // Without compare: three outcomes.
    expect(clustersOf(reports)).toHaveLength(3)
  })

  it('asks for values it lacks, and treats a compare that throws, a thrown error, or an unavailable value as disagreement', () => {
    const lacking = clustersOf([report('a', valueOutcome(0.3)), report('b', valueOutcome(7))], close, valueOf)
    expect(lacking).toEqual({ missing: [addressOf(7)] })
    const thrower = () => {
      throw new Error('the caller\'s bug')
    }
    expect(clustersOf([report('a', valueOutcome(0.3)), report('b', valueOutcome(0.30000000000000004))], thrower, valueOf)).toHaveLength(2)
    const error: Outcome = { kind: 'thrown', error: { name: 'Error', message: 'x' } }
    expect(clustersOf([report('a', valueOutcome(0.3)), report('b', error)], () => true, valueOf)).toHaveLength(2)
    expect(clustersOf([report('a', valueOutcome(0.3)), report('b', valueOutcome(9))], () => true, (address) => (address === addressOf(9) ? null : valueOf(address)))).toHaveLength(2)
  })
})
