import { describe, expect, it } from 'vitest'
import { DEFAULT_TRUST_THRESHOLD, Identity, LIES_BEFORE_BAN, SubmitterTrust, type PeerId } from '@tessera/core'

const self = Identity.fromSeed('submitter').peer
const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((name) => Identity.fromSeed(name).peer) as [PeerId, PeerId, PeerId, PeerId]

function trustWith(subjects: Record<string, string>, trust?: readonly string[]): SubmitterTrust {
  return new SubmitterTrust(self, { subjectOf: (peer) => subjects[peer] }, trust === undefined ? {} : { trust })
}

describe('SubmitterTrust', () => {
  it('trusts outright its own key, its own token or machine subject, never a shared network, and what it names', () => {
    const local = trustWith({ [self]: 'local:abc', [alice]: 'local:abc', [bob]: 'net:xyz' })
    expect([local.trusts(self), local.trusts(alice), local.trusts(bob)]).toEqual([true, true, false])
    const network = trustWith({ [self]: 'net:xyz', [alice]: 'net:xyz' })
    expect([network.trusts(self), network.trusts(alice)]).toEqual([true, false])
    const token = trustWith({ [self]: 'lab', [alice]: 'lab', [bob]: 'bob', [carol]: 'carol' }, ['bob', dave])
    expect([token.trusts(alice), token.trusts(bob), token.trusts(carol), token.trusts(dave)]).toEqual([true, true, false, true])
  })

  it('takes a subject alone only after the threshold, then with probability 1 - 1/n; one disagreement starts it again', () => {
    const trust = trustWith({})
    for (let i = 1; i < DEFAULT_TRUST_THRESHOLD; i++) trust.agreed('s')
    expect(trust.acceptsAlone('s', () => 0.999)).toBe(false)
    trust.agreed('s')
    // n = 10: a draw under 1/10 asks for a spot check.
    expect(trust.acceptsAlone('s', () => 0.099)).toBe(false)
    expect(trust.acceptsAlone('s', () => 0.1)).toBe(true)
    trust.disagreed('s')
    expect(trust.validInARow('s')).toBe(0)
    expect(trust.acceptsAlone('s', () => 0.999)).toBe(false)
  })

  it(`counts a subject as proven hostile after ${LIES_BEFORE_BAN} results that disagreed with accepted ones, agreements in between or not`, () => {
    const trust = trustWith({})
    for (let i = 0; i < LIES_BEFORE_BAN - 1; i++) {
      trust.disagreed('liar')
      trust.agreed('liar')
    }
    expect(trust.isLiar('liar')).toBe(false)
    trust.disagreed('liar')
    expect([trust.liesOf('liar'), trust.isLiar('liar'), trust.isLiar('honest')]).toEqual([LIES_BEFORE_BAN, true, false])
  })
})
