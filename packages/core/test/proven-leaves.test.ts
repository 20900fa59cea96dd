import { describe, expect, it } from 'vitest'
import { ProvenLeaves, type LeafProof } from '../src/identity/proven-leaves.ts'

// The memo behind verifyOutcome and signed claims (issue 14's cost target): it
// may answer "good" only for a proof equal in every part to one checked in full.

const proof: LeafProof = { leaf: 3, size: 140, path: 'P'.repeat(344), sig: 'S'.repeat(86) }
const fields = ['value', 'kKEY', 'bRESULT'] as const

describe('proven leaves', () => {
  it('finds a recorded proof again, from fresh copies of its strings', () => {
    const proven = new ProvenLeaves(8)
    proven.add('kPEER', proof, fields)
    const copy = JSON.parse(JSON.stringify({ proof, fields })) as { proof: LeafProof; fields: string[] }
    expect(proven.has('kPEER', copy.proof, copy.fields)).toBe(true)
  })

  it('misses when any part differs: signer, signature, leaf, size, path, or any statement value', () => {
    const proven = new ProvenLeaves(8)
    proven.add('kPEER', proof, fields)
    expect(proven.has('kOTHER', proof, fields)).toBe(false)
    expect(proven.has('kPEER', { ...proof, sig: 'T'.repeat(86) }, fields)).toBe(false)
    expect(proven.has('kPEER', { ...proof, leaf: 4 }, fields)).toBe(false)
    expect(proven.has('kPEER', { ...proof, size: 141 }, fields)).toBe(false)
    expect(proven.has('kPEER', { ...proof, path: `Q${proof.path.slice(1)}` }, fields)).toBe(false)
    expect(proven.has('kPEER', proof, ['value', 'kKEY', 'bOTHER'])).toBe(false)
    expect(proven.has('kPEER', proof, ['thrown', 'kKEY', 'bRESULT'])).toBe(false)
    expect(proven.has('kPEER', proof, ['value', 'kKEY'])).toBe(false)
    expect(proven.has('kPEER', proof, ['value', 'kKEY', 'bRESULT', ''])).toBe(false)
  })

  it('stays within its bound, forgetting the oldest signatures first', () => {
    const proven = new ProvenLeaves(4)
    const sigs = ['A', 'B', 'C'].map((c) => c.repeat(86))
    for (const sig of sigs) for (const leaf of [0, 1]) proven.add('kPEER', { ...proof, sig, leaf }, fields)
    // Six leaves went over four: the oldest signatures went until at most two leaves remained.
    expect(proven.has('kPEER', { ...proof, sig: sigs[0]!, leaf: 0 }, fields)).toBe(false)
    expect(proven.has('kPEER', { ...proof, sig: sigs[1]!, leaf: 1 }, fields)).toBe(false)
    expect(proven.has('kPEER', { ...proof, sig: sigs[2]!, leaf: 1 }, fields)).toBe(true)
  })
})
