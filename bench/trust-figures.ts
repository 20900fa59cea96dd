/**
 * The trust section's headline figures, each with target 0 unless said: built
 * from what every scenario of bench/trust.ts measured.
 */
import type { ForgedFailureFigures } from '../packages/runtime/test/support/trust/forged-failures.ts'
import type { JobControlFigures } from '../packages/runtime/test/support/trust/job-control.ts'
import type { LaunderingFigures } from '../packages/runtime/test/support/trust/laundering.ts'
import type { DisputeFigures } from '../packages/runtime/test/support/trust/disputes.ts'
import type { LyingFigures } from '../packages/runtime/test/support/trust/lying-donors.ts'
import type { OverwriteFigures } from '../packages/runtime/test/support/trust/cache-overwrite.ts'
import type { ReplayFigures } from '../packages/runtime/test/support/trust/replayed-reports.ts'
import { colludingCeiling, randomPairingBound, zeroFigure, type CheckingFigures, type Row } from './trust-checking.ts'
import type { BenchFigure } from './lib/section.ts'

export interface TrustMeasurements {
  readonly rows: readonly Row[]
  /** Calls honest hosts made, across every scenario: what "honest results flagged" counts against. */
  readonly honestCalls: number
  readonly closedOverwrites: readonly OverwriteFigures[]
  readonly selfSigned: OverwriteFigures
  readonly selfSignedPrivate: OverwriteFigures | undefined
  readonly sybilSigned: OverwriteFigures
  readonly laundering: LaunderingFigures
  readonly liarDefault: LyingFigures
  readonly liarPrivate: LyingFigures | undefined
  readonly liarQ2: LyingFigures
  readonly liarQ2Alone: LyingFigures
  readonly disputes: DisputeFigures
  readonly share: CheckingFigures['share']
  readonly shares: CheckingFigures['shares']
  readonly cost: CheckingFigures['cost']
  readonly sybil2: LyingFigures
  readonly sybil3: LyingFigures
  readonly replays: ReplayFigures
  readonly control: JobControlFigures
  readonly forged: ForgedFailureFigures
  readonly sizes: { readonly shareTasks: number; readonly costTasks: number; readonly colludingTasks: number }
}

export function trustFigures(measured: TrustMeasurements): BenchFigure[] {
  const { rows, honestCalls, closedOverwrites, selfSigned, selfSignedPrivate, sybilSigned, laundering, liarDefault, liarPrivate, liarQ2, liarQ2Alone, disputes, share, shares, cost, sybil2, sybil3, replays, control, forged, sizes } = measured
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
    zero('liar-quorum2', 'Wrong results accepted at quorum 2 (2 honest + 1 liar, and 1 honest + 1 liar), and served to a fresh host asking quorum 2 after the private-room run', liarQ2.host.wrong + liarQ2Alone.host.wrong + (liarPrivate?.fresh[1]?.wrong ?? 0), liarQ2.tasks * 3, 'tasks', `With 1 honest + 1 liar, ${liarQ2Alone.host.undecided} of ${liarQ2Alone.tasks} ended with QuorumError (the liar blocks agreement; trust.liveness).`),
    zero('liveness', 'Calls left waiting for ever or given a wrong value: 1 honest donor + 1 liar, quorum 2, nobody else with workers', disputes.tasks - disputes.first.settled + disputes.first.wrong + disputes.retry.wrong, disputes.tasks, 'calls', `${disputes.first.undecided} of ${disputes.tasks} ended with QuorumError once both subjects had reported (was 0 of 200 settled, waiting for ever); once an honest newcomer joined, a retry got ${disputes.retry.right} of ${disputes.tasks} right.`),
    zero('liar-share', `Wrong results accepted with 10% lying donors (18 honest, 2 liars), quorum 2, ${sizes.shareTasks} tasks`, share.wrong, share.tasks, 'tasks', `${share.settled} of ${share.tasks} settled. Liars that collude (one lie, 2 subjects) can meet quorum 2: trust.colluding.`),
    ...colludingFigures(shares, sizes.colludingTasks),
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
    zero('honest-flagged', 'Honest results flagged (calls that failed) across every scenario', flagged, honestCalls, 'honest calls', 'Calls of honest hosts that rejected with an honest result refused or failed. Calls that ended with QuorumError (every live subject reported and they disagreed: nothing accepted, no result called wrong) are not flagged, and neither are calls left waiting when the time allowed passed: both are in their rows.'),
  ]
  return figures
}


/**
 * Scenario 2: colluding liars (2 subjects of 20, one lie), as slow as honest
 * donors and answering at once. Quorum cannot tell 2 agreeing subjects from
 * the truth, so the target is random pairing's bound, not 0: replicas are
 * designated by hash (scheduler/designation.ts), so speed buys no partner.
 */
function colludingFigures(shares: CheckingFigures['shares'], tasks: number): BenchFigure[] {
  const slow = shares['10%, colluding']
  const fast = shares['10%, colluding, fast']
  if (slow === undefined || fast === undefined) return []
  const ceiling = colludingCeiling(20, 2, tasks)
  const bound = randomPairingBound(20, 2)
  const runsShare = (f: typeof fast): string => `${((100 * f.liarRuns) / Math.max(1, f.runs)).toFixed(1)}%`
  return [
    {
      id: 'trust.colluding',
      title: `Wrong results accepted from 2 colluding liars among 20 subjects, quorum 2, ${tasks} tasks each: liars answering at once, and as slow as honest donors`,
      value: Math.round((10_000 * Math.max(fast.wrong, slow.wrong)) / tasks) / 100,
      unit: `% of tasks (fast ${fast.wrong}, slow ${slow.wrong} of ${tasks})`,
      target: `≤ ${(100 * bound).toFixed(2)}% (random pairing; ${ceiling} of ${tasks} with 2 s.d.)`,
      met: fast.wrong <= ceiling && slow.wrong <= ceiling,
      note: `Random pairing's bound: both liars among a task's first 3 subjects (the first 2, or a third that settles their dispute), 3·2/(20·19). Liars ran ${runsShare(fast)} of the runs answering at once, ${runsShare(slow)} as slow as honest donors (their share of subjects: 10%). Before designation (2026-12-01), liars answering at once ran 64.6% of the runs and 3,631 of 6,000 tasks (60.5%, 3 seeds) accepted their lie.`,
    },
  ]
}
