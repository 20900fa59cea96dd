/**
 * The adversarial suite in full (issue 14, item 7): every attack of the issue
 * as a hostile peer would make it, with its figures: wrong results accepted,
 * forged entries served, honest results flagged. Closed attacks run in short
 * form in `npm test` too (packages/runtime/test/adversarial.*.test.ts); the
 * attacks still open are measured only here. The scenarios themselves live in
 * packages/runtime/test/support/trust/, one copy for the tests and this
 * section. Threat model and what each figure proves: docs/trust.md.
 */
import { useEd25519Engine, type JobOptions } from '@tessera/core'
import { nodeEd25519 } from '@tessera/mesh/node'
import { SimArena, type Arena } from '../packages/runtime/test/support/trust/arena.ts'
import { overwriteCache, type OverwriteFigures, type OverwriteOptions } from '../packages/runtime/test/support/trust/cache-overwrite.ts'
import { strangerStopsJobs } from '../packages/runtime/test/support/trust/job-control.ts'
import { forgeFailures } from '../packages/runtime/test/support/trust/forged-failures.ts'
import { launder } from '../packages/runtime/test/support/trust/laundering.ts'
import { lyingDonors, type LyingFigures, type LyingOptions } from '../packages/runtime/test/support/trust/lying-donors.ts'
import { MeshArena } from '../packages/runtime/test/support/trust/mesh-arena.ts'
import { replayedReports } from '../packages/runtime/test/support/trust/replayed-reports.ts'
import { measureChecking, rowsTable, zeroFigure, type Row } from './trust-checking.ts'
import type { BenchFigure, BenchOptions, BenchSection } from './lib/section.ts'

const FULL = { overwritten: 50, thrown: 10, inAdvance: 50, tasks: 200, laundered: 30, replayed: 100, stopRounds: 3, costTasks: 1000, shareTasks: 10_000, forgedFailures: 200 }
const QUICK = { overwritten: 10, thrown: 2, inAdvance: 10, tasks: 30, laundered: 10, replayed: 20, stopRounds: 1, costTasks: 200, shareTasks: 200, forgedFailures: 30 }

/** What `connect()` gives every function in a public room (no token): adaptive replication. */
const PUBLIC_ROOM: JobOptions = { adaptive: true }

/** Wall-clock seconds of the last `inArena` run. */
let lastSeconds = 0

async function inArena<T>(make: () => Promise<Arena> | Arena, run: (arena: Arena) => Promise<T>): Promise<T> {
  const started = performance.now()
  const arena = await make()
  try {
    return await run(arena)
  } finally {
    await arena.close()
    lastSeconds = Math.round((performance.now() - started) / 100) / 10
  }
}

export async function runTrustBench(options: BenchOptions): Promise<BenchSection> {
  useEd25519Engine(nodeEd25519)
  const sizes = options.quick ? QUICK : FULL
  const log = (line: string): void => {
    if (options.verbose) console.log(`   ${line}`)
  }
  const rows: Row[] = []
  const data: Record<string, unknown> = { sizes }
  let seed = 100
  /** Calls honest hosts made, across every scenario: what "honest results flagged" counts against. */
  let honestCalls = 0
  const sim = (donors: number, jobDefaults?: JobOptions) => (): SimArena => new SimArena({ seed: seed++, donors, ...(jobDefaults === undefined ? {} : { jobDefaults }) })
  const quorumLabel = (quorum: number | undefined, defaults?: JobOptions): string => (quorum !== undefined ? `quorum ${quorum}` : defaults?.adaptive === true ? 'public-room default (adaptive, quorum 2)' : 'quorum 1')

  // Overwriting the cache.
  const overwrite = async (where: Row['where'], settings: Omit<OverwriteOptions, 'log'>, defaults?: JobOptions, byDesign = false): Promise<OverwriteFigures> => {
    const figures = await inArena(where === 'simulator' ? sim(2, defaults) : () => MeshArena.start({ donors: 1 }), (arena) => overwriteCache(arena, { ...sizes, ...settings, log }))
    const served = figures.servedToHost + figures.servedToFresh + figures.servedAfterDelete
    honestCalls += figures.forged * 2 + figures.deleted
    const keys = `${settings.sybils ?? settings.quorum} keys${settings.sybilSubject === undefined ? '' : ' of one subject'}`
    const label = `${settings.forgery}${settings.forgery === 'sybil' ? ` (${keys})` : ''}, ${quorumLabel(settings.quorum, defaults)}`
    rows.push({ attack: 'overwriting the cache', where, settings: label, got: served, of: figures.forged * 2, what: 'forged served (host + fresh host)', flagged: figures.honestFlagged, open: served > 0, byDesign, seconds: lastSeconds })
    data[`overwrite ${where} ${label}`] = figures
    return figures
  }
  const closedOverwrites = [
    await overwrite('simulator', { forgery: 'unsigned' }),
    await overwrite('simulator', { forgery: 'stolen' }),
    await overwrite('simulator', { forgery: 'self-signed', quorum: 2 }),
    await overwrite('real mesh', { forgery: 'unsigned' }),
    // The smoke run proves the mesh path once; the full run makes both forgeries there.
    ...(options.quick ? [] : [await overwrite('real mesh', { forgery: 'stolen' })]),
  ]
  const selfSigned = await overwrite('simulator', { forgery: 'self-signed' }, PUBLIC_ROOM)
  // What a private room (no checks: its members hold the operator's tokens) lets a member do; the smoke run skips it.
  const selfSignedPrivate = options.quick ? undefined : await overwrite('simulator', { forgery: 'self-signed' }, undefined, true)
  const sybilSigned = await overwrite('simulator', { forgery: 'sybil', quorum: 2, sybils: 2, sybilSubject: 'mallory' })

  // Laundering.
  const laundering = await inArena(sim(2), (arena) => launder(arena as SimArena, sizes.laundered, log))
  rows.push({ attack: 'laundering', where: 'simulator', settings: 'task records carry another function\'s keys', got: laundering.cachedUnderVictimKeys + laundering.wrongServed, of: laundering.victimKeys, what: 'victim keys cached or served wrong', flagged: 0, open: false, seconds: lastSeconds })
  data.laundering = laundering
  honestCalls += laundering.victimKeys

  // Lying donors and Sybils.
  const lying = async (honest: number, settings: Omit<LyingOptions, 'tasks' | 'log'>, label: string, defaults?: JobOptions, byDesign = false): Promise<LyingFigures> => {
    const figures = await inArena(sim(honest, defaults), (arena) => lyingDonors(arena, { ...settings, tasks: sizes.tasks, limitMs: 30_000, log }))
    const host = (settings.hostWorkers ?? 0) > 0 ? 'host with a worker' : 'host without workers'
    rows.push({ attack: label, where: 'simulator', settings: `${honest} honest, ${settings.liars ?? 0} liars, ${settings.sybils ?? 0} Sybil keys, ${host}, ${quorumLabel(settings.quorum, defaults)}`, got: figures.host.wrong, of: figures.tasks, what: `wrong accepted (${figures.host.settled} settled)`, flagged: figures.host.flagged + figures.fresh.reduce((sum, f) => sum + f.flagged, 0), open: figures.host.wrong > 0, byDesign, seconds: lastSeconds })
    honestCalls += figures.tasks * (1 + figures.fresh.length)
    for (const fresh of figures.fresh) {
      rows.push({ attack: `${label}, then a fresh host`, where: 'simulator', settings: `fresh host at ${quorumLabel(fresh.quorum, defaults)}`, got: fresh.wrong, of: figures.tasks, what: `wrong served (${fresh.wrongFromCache} from the cache)`, flagged: 0, open: fresh.wrong > 0, byDesign: byDesign && fresh.quorum === undefined, seconds: 0 })
    }
    data[`${label} ${honest}+${settings.liars ?? 0}+${settings.sybils ?? 0} ${quorumLabel(settings.quorum, defaults)}`] = figures
    return figures
  }
  const liarDefault = await lying(1, { liars: 1, hostWorkers: 1, freshQuorums: [undefined] }, 'lying donor', PUBLIC_ROOM)
  const liarPrivate = options.quick ? undefined : await lying(1, { liars: 1, freshQuorums: [undefined, 2] }, 'lying donor (private room, no checks: members are trusted)', undefined, true)
  const liarQ2Alone = await lying(1, { quorum: 2, liars: 1 }, 'lying donor')
  const liarQ2 = await lying(2, { quorum: 2, liars: 1 }, 'lying donor')
  const sybil2 = await lying(1, { quorum: 2, sybils: 2, freshQuorums: [2] }, 'Sybil reports')
  const sybil3 = await lying(1, { quorum: 3, sybils: 3, freshQuorums: [3] }, 'Sybil reports')

  // Checking against lying donors, and what checking costs an honest swarm.
  const checking = await measureChecking(sizes, seed, options.quick, log)
  seed += checking.seedsUsed
  rows.push(...checking.rows)
  honestCalls += checking.share.tasks
  Object.assign(data, checking.data)
  const { share, cost } = checking

  // Replayed and re-signed reports.
  const replays = await inArena(sim(1), (arena) => replayedReports(arena as SimArena, sizes.replayed, 20_000, log))
  rows.push({ attack: 'replayed and re-signed reports', where: 'simulator', settings: '1 honest donor + copier, quorum 2', got: replays.copiesCounted, of: replays.copiesWritten, what: `copies counted (${replays.twoDonors.right}/${replays.tasks} right with 2 donors)`, flagged: replays.twoDonors.flagged, open: false, seconds: lastSeconds })
  data.replays = replays
  honestCalls += replays.tasks * 2

  // Anyone stops any job.
  const control = await inArena(sim(1), (arena) => strangerStopsJobs(arena as SimArena, sizes.stopRounds, log))
  rows.push({ attack: 'a stranger stops a job', where: 'simulator', settings: 'stopJob(id) / raw writes', got: control.stoppedThroughApi + control.stoppedByRawWrites, of: control.attempts * 2, what: 'victim batches cancelled', flagged: 0, open: control.stoppedThroughApi + control.stoppedByRawWrites > 0, seconds: lastSeconds })
  data.jobControl = control

  // Records that do not belong to their writers: forged failures and claims in a victim's running job.
  const forged = await inArena(sim(3), (arena) => forgeFailures(arena as SimArena, { tasks: sizes.forgedFailures, log }))
  rows.push({ attack: 'forged failures and claims', where: 'simulator', settings: '3 honest donors; lost leases, timeouts and claims in their names; a net: stranger\'s own abandoned claims and timeouts', got: forged.flagged + forged.blocked, of: forged.tasks, what: 'victim calls flagged or blocked', flagged: forged.flagged, open: forged.flagged + forged.blocked > 0, seconds: lastSeconds })
  data.forgedFailures = forged
  honestCalls += forged.tasks

  const flagged = rows.reduce((sum, row) => sum + row.flagged, 0)
  const closedServed = closedOverwrites.reduce((sum, f) => sum + f.servedToHost + f.servedToFresh + f.servedAfterDelete, 0)
  const closedForged = closedOverwrites.reduce((sum, f) => sum + f.forged * 2, 0)
  const zero = zeroFigure
  const figures: BenchFigure[] = [
    zero('forged-served', 'Forged cache entries served (unsigned, stolen proofs; self-signed at quorum 2; simulator and real mesh)', closedServed, closedForged, 'forged reads', 'Every read of the honest host and of a fresh host with a worker, after the forgeries arrived, and after deletes.'),
    zero('self-signed-served', 'Lies the attacker signed with its own key, served at the public-room default (adaptive replication, quorum 2)', selfSigned.servedToHost + selfSigned.servedToFresh, selfSigned.forged * 2, 'forged reads', selfSignedPrivate === undefined ? 'A private room trusts its members (docs/trust.md).' : `In a private room (quorum 1, every member holds the operator's token) ${selfSignedPrivate.servedToHost + selfSignedPrivate.servedToFresh} of ${selfSignedPrivate.forged * 2} are served: a member's signature is a quorum of 1 there (docs/trust.md).`),
    zero('sybil-signed-served', 'Lies signed with 2 keys of one attacker (certified as one subject), served at quorum 2', sybilSigned.servedToHost + sybilSigned.servedToFresh, sybilSigned.forged * 2, 'forged reads', 'Readers count distinct subjects (CachePolicy.subjectOf).'),
    {
      id: 'trust.sybil-signed-restored',
      title: 'Honest entries (2 subjects) restored over those lies',
      value: sybilSigned.restored,
      unit: `of ${sybilSigned.forged} forged entries`,
      target: `${sybilSigned.forged}`,
      met: sybilSigned.restored === sybilSigned.forged,
      note: 'The cache merge rule weighs distinct subjects (mergeCached); while it counted keys, 10 of 110 (only the forged errors, which a value always beats).',
    },
    zero('laundering', 'Laundering: victim keys cached or served wrong', laundering.cachedUnderVictimKeys + laundering.wrongServed, laundering.victimKeys, 'victim keys', 'Donors ignore a task whose key is not hash(fn, args).'),
    zero('liar-default', 'Wrong results accepted: 1 honest donor + 1 liar, public-room default (adaptive replication), host with a worker', liarDefault.host.wrong, liarDefault.tasks, 'tasks', `${liarDefault.host.settled} of ${liarDefault.tasks} settled.${liarPrivate === undefined ? '' : ` In a private room (quorum 1, no checks) ${liarPrivate.host.wrong} of ${liarPrivate.tasks} were accepted: a room's members are trusted there.`}`),
    zero('liar-default-cached', 'Wrong results served from the cache to a fresh host at the public-room default, after that run', liarDefault.fresh[0]?.wrong ?? 0, liarDefault.tasks, 'calls', 'A fresh host takes an entry only from its own key or subject, or from 2 distinct subjects.'),
    zero('liar-quorum2', 'Wrong results accepted at quorum 2 (2 honest + 1 liar, and 1 honest + 1 liar), and served to a fresh host asking quorum 2 after the private-room run', liarQ2.host.wrong + liarQ2Alone.host.wrong + (liarPrivate?.fresh[1]?.wrong ?? 0), liarQ2.tasks * 3, 'tasks', `With 1 honest + 1 liar, ${liarQ2Alone.host.settled} of ${liarQ2Alone.tasks} settled: the liar blocks agreement (liveness, docs/trust.md).`),
    zero('liar-share', `Wrong results accepted with 10% lying donors (18 honest, 2 liars), quorum 2, ${sizes.shareTasks} tasks`, share.wrong, share.tasks, 'tasks', `${share.settled} of ${share.tasks} settled. Liars that collude (one lie, 2 subjects) could meet quorum 2 on a task they both reach first: quorum assumes fewer than quorum colluding subjects.`),
    zero('sybil-reports', 'Wrong results accepted from one peer reporting under k keys (k = quorum = 2, 3)', sybil2.host.wrong + sybil3.host.wrong, sybil2.tasks + sybil3.tasks, 'tasks', 'Quorum counts certified subjects: k keys of one subject are one vote.'),
    {
      id: 'trust.adaptive-cost',
      title: `Adaptive replication on an honest swarm: extra runs over no replication (${sizes.costTasks} tasks, 3 donors)`,
      value: Math.round(cost.adaptive.extra * 1000) / 10,
      unit: '% more runs',
      target: '≤ 15',
      met: cost.adaptive.extra <= 0.15,
      note: `${cost.full === undefined ? '' : `Full replication at quorum 2 in the same run: +${(cost.full.extra * 100).toFixed(1)}%. `}Each new subject's first 10 results are checked, then 1 in n after n in a row (BOINC).`,
    },
    zero('replays', 'Replayed and re-signed reports counted', replays.copiesCounted, replays.copiesWritten, 'copies', 'Scenario 18.'),
    zero('stranger-stops', 'Victim batches a stranger cancelled (stopJob, raw writes)', control.stoppedThroughApi + control.stoppedByRawWrites, control.attempts * 2, 'batches', 'Submitter-only cancel is the lead\'s item (signed job entries).'),
    zero('forged-failures', 'Victim calls flagged or blocked by forged failures and claims (lost leases, timeouts and claims in honest donors\' names; a stranger\'s own claims abandoned and timeouts, 8 and 3 per task)', forged.flagged + forged.blocked, forged.tasks, 'calls', 'Claims and failures count only as their claimant signed them, and a net: subject\'s lost leases and timeouts once per task. Was 200 of 200 (160 flagged, 40 blocked) on 2026-12-01 before they were signed.'),
    zero('honest-flagged', 'Honest results flagged (calls that failed) across every scenario', flagged, honestCalls, 'honest calls', 'Calls of honest hosts that rejected (an honest result refused, or no agreement reached); calls left waiting when the time allowed passed are not counted here but in the rows.'),
  ]
  const table = rowsTable(rows)
  return {
    id: 'trust',
    title: 'Trust: the adversarial suite (wrong results accepted, forged entries served, honest results flagged)',
    figures,
    markdown: [
      'Each row is one attack made as a hostile peer would, on the seeded simulator or over the real mesh (real signaling, real WebRTC between Node peers). "Got" counts what the attack achieved; target 0 everywhere. Threat model and what each row proves: [docs/trust.md](../../docs/trust.md).',
      '',
      table,
    ].join('\n'),
    data,
  }
}
