import type { PeerId } from '../ids.ts'
import type { Outcome, Report } from '../swarm/schema.ts'

/** Two outcomes agree when this is equal. */
export function outcomeId(outcome: Outcome): string {
  return outcome.kind === 'value' ? `value:${outcome.result}` : `thrown:${outcome.error.name}:${outcome.error.message}`
}

/**
 * The outcome that `quorum` distinct subjects agree on, or undefined. Reports
 * count by their reporter's subject (`subjectOf`; by default each peer is its
 * own), so many keys of one subject are one vote, and a reporter with no
 * subject is none. When several outcomes reach quorum (only possible with
 * dishonest peers) the choice is still the same on every peer: the smallest
 * `outcomeId`.
 */
export function acceptedOutcome(reports: readonly Report[], quorum: number, subjectOf: (peer: PeerId) => string | undefined = (peer) => peer): Outcome | undefined {
  const byOutcome = new Map<string, { outcome: Outcome; peers: Set<string> }>()
  for (const report of reports) {
    const subject = subjectOf(report.peer)
    if (subject === undefined) continue
    const id = outcomeId(report.outcome)
    let group = byOutcome.get(id)
    if (group === undefined) byOutcome.set(id, (group = { outcome: report.outcome, peers: new Set() }))
    group.peers.add(subject)
  }
  let best: { id: string; outcome: Outcome } | undefined
  for (const [id, group] of byOutcome) {
    if (group.peers.size >= quorum && (best === undefined || id < best.id)) best = { id, outcome: group.outcome }
  }
  return best?.outcome
}
