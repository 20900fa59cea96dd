import { signOutcomes, type Identity, type JobId, type TaskKey } from '@tessera/core'

/**
 * Records the stranger signs with its own key. Before claims and failures
 * were signed (2026-12-01), any proof did: these are placeholders.
 */
export function forgedProof(stranger: Identity): unknown {
  return signOutcomes(stranger, [{ key: 'forged' as TaskKey, outcome: { kind: 'thrown', error: { name: 'Forged', message: 'forged' } } }])[0]
}

export function ownClaim(stranger: Identity, _job: JobId, _task: string, _key: TaskKey, terms: { attempt: number; claimedAt: number; leaseUntil: number }): unknown {
  return { peer: stranger.peer, ...terms, batch: 1, proof: forgedProof(stranger) }
}

export function ownTimeout(stranger: Identity, _job: JobId, _task: string, _key: TaskKey, _attempt: number): unknown {
  return forgedProof(stranger)
}
