import type { Identity } from '../identity/identity.ts'
import type { TaskKey } from '../ids.ts'
import { signOutcomes } from '../swarm/outcome-proofs.ts'
import type { CacheEntry, Outcome, Report } from '../swarm/schema.ts'

/** A report as an honest donor writes it: its outcome signed by `identity` (a batch of one). */
export function signedReport(identity: Identity, key: TaskKey, outcome: Outcome, fields: Partial<Pick<Report, 'attempt' | 'durationMs' | 'at'>> = {}): Report {
  const [proof] = signOutcomes(identity, [{ key, outcome }])
  return { peer: identity.peer, attempt: 1, durationMs: 1, at: 0, ...fields, outcome, proof: proof! }
}

/** A cache entry for `outcome` signed by each of `signers`, as write-back assembles it from their reports. */
export function signedCacheEntry(signers: readonly Identity[], key: TaskKey, outcome: Outcome): CacheEntry {
  const proofs = signers.map((signer) => ({ peer: signer.peer, ...signOutcomes(signer, [{ key, outcome }])[0]! }))
  return outcome.kind === 'value' ? { kind: 'value', result: outcome.result, proofs } : { kind: 'failure', error: outcome.error, proofs }
}
