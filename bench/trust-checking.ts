import { replicationCost, type ReplicationCost } from '../packages/runtime/test/support/trust/adaptive-cost.ts'
import { liarShare } from '../packages/runtime/test/support/trust/liar-share.ts'
import type { CallCount } from '../packages/runtime/test/support/trust/lying-donors.ts'
import { markdownTable } from './lib/report.ts'
import type { BenchFigure } from './lib/section.ts'

/**
 * The trust section's measurements of checking itself (`trust.ts` runs the
 * attacks): a tenth of the donors lying at quorum 2, and the runs adaptive
 * replication costs an honest swarm beside full replication and none; and the
 * table every row of the section goes into.
 */

/** One row of the report: an attack, how it was made, what it got, and whether today's code closes it. */
export interface Row {
  readonly attack: string
  readonly where: 'simulator' | 'real mesh'
  readonly settings: string
  readonly got: number
  readonly of: number
  readonly what: string
  /** Honest calls that failed in the run. */
  readonly flagged: number
  readonly open: boolean
  /** What the attack gets is the room's own trust boundary (a private room trusts its members), not a defect. */
  readonly byDesign?: boolean
  /** Wall-clock seconds of the run the row comes from. */
  readonly seconds: number
}

const secondsSince = (started: number): number => Math.round((performance.now() - started) / 100) / 10

export interface CheckingFigures {
  readonly rows: Row[]
  readonly share: { readonly wrong: number; readonly settled: number; readonly flagged: number; readonly tasks: number }
  readonly cost: { readonly none: ReplicationCost; readonly adaptive: ReplicationCost; readonly full?: ReplicationCost }
  /** The full run's 20% and 40% shares and colluding liars (none in the smoke run). */
  readonly shares: Readonly<Record<string, CallCount & { readonly tasks: number }>>
  readonly data: Record<string, unknown>
  readonly seedsUsed: number
}

export async function measureChecking(sizes: { readonly shareTasks: number; readonly costTasks: number }, seed: number, quick: boolean, log: (line: string) => void): Promise<CheckingFigures> {
  const rows: Row[] = []
  // A tenth of the donors lie, each its own lie, at quorum 2.
  const shareStarted = performance.now()
  const share = await liarShare({ seed, honest: 18, liars: 2, tasks: sizes.shareTasks, quorum: 2, log })
  rows.push({ attack: 'lying donors, 10%', where: 'simulator', settings: '18 honest, 2 liars (each its own lie), host without workers, quorum 2', got: share.wrong, of: share.tasks, what: `wrong accepted (${share.settled} settled)`, flagged: share.flagged, open: share.wrong > 0, seconds: secondsSince(shareStarted) })
  // Scenario 1's larger shares, and scenario 2 (liars that collude: one lie from distinct subjects), in the full run.
  const shares: Record<string, CallCount & { readonly tasks: number }> = {}
  const more = [
    { name: '20%', honest: 16, liars: 4, collude: false },
    { name: '40%', honest: 12, liars: 8, collude: false },
    { name: '10%, colluding', honest: 18, liars: 2, collude: true },
  ]
  for (const [i, { name, ...settings }] of (quick ? [] : more).entries()) {
    const started = performance.now()
    const figures = await liarShare({ seed: seed + 4 + i, ...settings, tasks: 200, quorum: 2, log })
    shares[name] = figures
    const lies = settings.collude ? 'one lie between them' : 'each its own lie'
    // Colluding subjects agreeing on one lie are what quorum cannot tell from the truth: measured, not a defect.
    rows.push({ attack: `lying donors, ${name}`, where: 'simulator', settings: `${settings.honest} honest, ${settings.liars} liars (${lies}), host without workers, quorum 2`, got: figures.wrong, of: figures.tasks, what: `wrong accepted (${figures.settled} settled)`, flagged: figures.flagged, open: figures.wrong > 0 && !settings.collude, byDesign: settings.collude && figures.wrong > 0, seconds: secondsSince(started) })
  }

  // What checking costs on an honest swarm: adaptive replication beside full replication and none.
  const costStarted = performance.now()
  const cost = {
    none: await replicationCost(seed + 1, 3, sizes.costTasks, { adaptive: false }),
    adaptive: await replicationCost(seed + 2, 3, sizes.costTasks, { adaptive: true }),
    ...(quick ? {} : { full: await replicationCost(seed + 3, 3, sizes.costTasks, { adaptive: false, quorum: 2 }) }),
  }
  const costSeconds = secondsSince(costStarted)
  for (const [name, figures] of Object.entries(cost)) {
    const settings = name === 'none' ? 'unchecked (quorum 1)' : name === 'adaptive' ? 'adaptive replication' : 'full replication, quorum 2'
    rows.push({ attack: 'cost of checking, honest swarm', where: 'simulator', settings: `3 honest donors, ${settings}`, got: figures.runs - figures.tasks, of: figures.tasks, what: `extra runs (+${(figures.extra * 100).toFixed(1)}%; ${figures.right} right)`, flagged: figures.tasks - figures.right, open: false, seconds: name === 'none' ? costSeconds : 0 })
  }
  return { rows, share, shares, cost, data: { liarShare: share, liarShares: shares, replicationCost: cost }, seedsUsed: quick ? 4 : 7 }
}

/** Every row of the section as a markdown table. */
export function rowsTable(rows: readonly Row[]): string {
  return markdownTable(
    ['Attack', 'Where', 'Settings', 'Got', 'Of', 'Figure', 'Honest flagged', 'Today', 'Run (s)'],
    rows.map((row) => [row.attack, row.where, row.settings, String(row.got), String(row.of), row.what, String(row.flagged), row.byDesign === true ? 'by design' : row.open ? '**open**' : 'closed', row.seconds > 0 ? String(row.seconds) : '″']),
    (i) => i === 3 || i === 4 || i === 6 || i === 8,
  )
}

/** A figure whose target is 0: what an attack achieved, of how many tries. */
export function zeroFigure(id: string, title: string, value: number, of: number, unit: string, note: string): BenchFigure {
  return { id: `trust.${id}`, title, value, unit: `of ${of} ${unit}`, target: '0', met: value === 0, note }
}
