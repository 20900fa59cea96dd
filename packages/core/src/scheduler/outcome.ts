import type { Outcome, Report } from '../swarm/schema.ts'

/** Two outcomes agree when this is equal. */
export function outcomeId(outcome: Outcome): string {
  return outcome.kind === 'value' ? `value:${outcome.result}` : `thrown:${outcome.error.name}:${outcome.error.message}`
}

/**
 * The outcome that `quorum` distinct peers agree on, or undefined. When several
 * outcomes reach quorum (only possible with dishonest peers) the choice is still
 * the same on every peer: the smallest `outcomeId`.
 */
export function acceptedOutcome(reports: readonly Report[], quorum: number): Outcome | undefined {
  const byOutcome = new Map<string, { outcome: Outcome; peers: Set<string> }>()
  for (const report of reports) {
    const id = outcomeId(report.outcome)
    let group = byOutcome.get(id)
    if (group === undefined) byOutcome.set(id, (group = { outcome: report.outcome, peers: new Set() }))
    group.peers.add(report.peer)
  }
  let best: { id: string; outcome: Outcome } | undefined
  for (const [id, group] of byOutcome) {
    if (group.peers.size >= quorum && (best === undefined || id < best.id)) best = { id, outcome: group.outcome }
  }
  return best?.outcome
}
