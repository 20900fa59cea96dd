import { replicationCost, type ReplicationCost } from '../packages/runtime/test/support/trust/adaptive-cost.ts'
import { liarShare, type LiarShareFigures } from '../packages/runtime/test/support/trust/liar-share.ts'
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
  /** The full run's 20% and 40% shares and colluding liars, slow and fast (none in the smoke run). */
  readonly shares: Readonly<Record<string, LiarShareFigures>>
  readonly data: Record<string, unknown>
  readonly seedsUsed: number
}

export async function measureChecking(sizes: { readonly shareTasks: number; readonly costTasks: number; readonly colludingTasks: number }, seed: number, quick: boolean, log: (line: string) => void): Promise<CheckingFigures> {
  const rows: Row[] = []
  // A tenth of the donors lie, each its own lie, at quorum 2.
  const shareStarted = performance.now()
  const share = await liarShare({ seed, honest: 18, liars: 2, tasks: sizes.shareTasks, quorum: 2, log })
  rows.push({ attack: 'lying donors, 10%', where: 'simulator', settings: '18 honest, 2 liars (each its own lie), host without workers, quorum 2', got: share.wrong, of: share.tasks, what: `wrong accepted (${share.settled} settled)`, flagged: share.flagged, open: share.wrong > 0, seconds: secondsSince(shareStarted) })
  // Scenario 1's larger shares, and scenario 2 (liars that collude: one lie from distinct subjects), in the full run:
  // as slow as honest donors, and fast (they answer at once and scan for work 10 times as often), so idle whenever a replica is wanted.
  const shares: Record<string, LiarShareFigures> = {}
  const more = [
    { name: '20%', honest: 16, liars: 4, collude: false, fast: false, tasks: 200 },
    { name: '40%', honest: 12, liars: 8, collude: false, fast: false, tasks: 200 },
    { name: '10%, colluding', honest: 18, liars: 2, collude: true, fast: false, tasks: sizes.colludingTasks },
    { name: '10%, colluding, fast', honest: 18, liars: 2, collude: true, fast: true, tasks: sizes.colludingTasks },
  ]
  for (const [i, { name, ...settings }] of (quick ? [] : more).entries()) {
    const started = performance.now()
    const figures = await liarShare({ seed: seed + 4 + i, ...settings, quorum: 2, log })
    shares[name] = figures
    const lies = settings.collude ? 'one lie between them' : 'each its own lie'
    const speed = settings.fast ? ', answering at once' : ''
    // Colluding subjects agreeing on one lie are what quorum cannot tell from the truth: within random pairing's bound is by design.
    const withinBound = settings.collude && figures.wrong <= colludingCeiling(settings.honest + settings.liars, settings.liars, figures.tasks)
    const share = `${((100 * figures.liarRuns) / Math.max(1, figures.runs)).toFixed(1)}% of runs by liars`
    rows.push({ attack: `lying donors, ${name}`, where: 'simulator', settings: `${settings.honest} honest, ${settings.liars} liars (${lies}${speed}), host without workers, quorum 2`, got: figures.wrong, of: figures.tasks, what: `wrong accepted (${figures.settled} settled; ${share})`, flagged: figures.flagged, open: figures.wrong > 0 && !withinBound, byDesign: withinBound && figures.wrong > 0, seconds: secondsSince(started) })
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
  return { rows, share, shares, cost, data: { liarShare: share, liarShares: shares, replicationCost: cost }, seedsUsed: quick ? 4 : 8 }
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

/**
 * Random pairing's bound at quorum 2: a lie is accepted when 2 of `liars`
 * colluding subjects are among the first 3 distinct subjects a task's replicas
 * go to (the first 2 agree, or a third settles their dispute), drawn at random
 * from `subjects`: for 2 of 20, 3·2/(20·19) = 1.58%. (2/20 · 1/19 = 0.53% counts
 * only the first two.)
 */
export function randomPairingBound(subjects: number, liars: number): number {
  const choose = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 ? 1 : (n / k) * choose(n - 1, k - 1))
  return (choose(liars, 2) * choose(subjects - liars, 1) + choose(liars, 3)) / choose(subjects, 3)
}

/** The most wrong acceptances of `tasks` still consistent with that bound: 2 standard deviations above it. */
export function colludingCeiling(subjects: number, liars: number, tasks: number): number {
  const p = randomPairingBound(subjects, liars)
  return Math.floor(tasks * p + 2 * Math.sqrt(tasks * p * (1 - p)))
}
