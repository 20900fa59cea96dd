import type { Value } from '../encoding/supported-value.ts'
import type { Address } from '../ids.ts'
import { outcomeId } from '../scheduler/outcome.ts'
import type { Outcome, Report } from '../swarm/schema.ts'

/** Reports whose outcomes agree: the same outcome, or values a submitter's `compare` finds equal. */
export interface Cluster {
  /** The outcome a verdict accepts for the cluster: the smallest id among its members, so every judge picks alike. */
  readonly outcome: Outcome
  readonly ids: ReadonlySet<string>
  readonly reports: readonly Report[]
}

export type Compare = (a: Value, b: Value) => boolean

/** A value as the judge holds it: loaded, `null` when it could not be (it then agrees with nothing), undefined while unknown. */
export type ValueOf = (address: Address) => { readonly value: Value } | null | undefined

/**
 * Groups reports by outcome, then, with `compare`, joins groups whose values
 * it finds equal (a group joins the first cluster whose first value matches).
 * Thrown errors only ever match exactly. Returns the addresses it still needs
 * when `valueOf` lacks one, so the caller can fetch them and try again.
 */
export function clustersOf(
  reports: readonly Report[],
  compare?: Compare,
  valueOf?: ValueOf,
): Cluster[] | { readonly missing: Address[] } {
  const groups = new Map<string, { outcome: Outcome; reports: Report[] }>()
  for (const report of reports) {
    const id = outcomeId(report.outcome)
    const group = groups.get(id)
    if (group === undefined) groups.set(id, { outcome: report.outcome, reports: [report] })
    else group.reports.push(report)
  }
  const sorted = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (compare === undefined || valueOf === undefined || sorted.length < 2) {
    return sorted.map(([id, group]) => ({ outcome: group.outcome, ids: new Set([id]), reports: group.reports }))
  }
  const missing = sorted.flatMap(([, { outcome }]) => (outcome.kind === 'value' && valueOf(outcome.result) === undefined ? [outcome.result] : []))
  if (missing.length > 0) return { missing }
  const clusters: Array<{ outcome: Outcome; ids: Set<string>; reports: Report[] }> = []
  for (const [id, group] of sorted) {
    const home = clusters.find((cluster) => agree(cluster.outcome, group.outcome, compare, valueOf))
    if (home === undefined) clusters.push({ outcome: group.outcome, ids: new Set([id]), reports: [...group.reports] })
    else {
      home.ids.add(id)
      home.reports.push(...group.reports)
    }
  }
  return clusters
}

function agree(a: Outcome, b: Outcome, compare: Compare, valueOf: ValueOf): boolean {
  if (a.kind !== 'value' || b.kind !== 'value') return false
  const left = valueOf(a.result)
  const right = valueOf(b.result)
  if (left == null || right == null) return false
  try {
    return compare(left.value, right.value) === true
  } catch {
    // The caller's own function: a throw means "not equal", never a crashed judge.
    return false
  }
}
