import { Identity, type Clock, type JobIndex, type PeerId, type TaskKey } from '@tessera/core'
import { SimPeer } from '@tessera/core/testing'
import type { Settled } from '@tessera/runtime'
import type { SimArena } from './arena.ts'
import { forgedProof, ownClaim, ownTimeout } from './own-records.ts'
import { watchTasks } from './hostile-peers.ts'

/**
 * Records that do not belong to their writers (issue 14, item 3): a stranger
 * writes a victim's running job's `failures` and `claims` maps with raw Yjs.
 * Each task of the victim's call gets one kind of forgery:
 * - `lost-leases`: `maxLostLeases` lease-expired failures naming honest donors,
 *   carrying claims in their names the stranger made up;
 * - `timeouts`: `maxAttempts` timeouts naming honest donors;
 * - `claims`: a claim in an honest donor's name with a lease of a day, written
 *   when the task arrives and again over the first two honest claims;
 * - `own-lapses`: claims the stranger signed with its own key, each abandoned
 *   (lease passed), `maxLostLeases` times;
 * - `own-timeouts`: `maxAttempts` timeouts the stranger signed itself.
 * The stranger is a public-room stranger: its subject is a network's (`net:`).
 * The figure: victim calls that failed (an honest result flagged) or never
 * settled (blocked), of N.
 */
export const FORGERY_KINDS = ['lost-leases', 'timeouts', 'claims', 'own-lapses', 'own-timeouts'] as const
export type FailureForgery = (typeof FORGERY_KINDS)[number]

export interface ForgedFailureFigures {
  readonly tasks: number
  /** Calls that rejected: an honest result refused because of forged records. */
  readonly flagged: number
  /** Calls still unsettled when the time allowed passed. */
  readonly blocked: number
  readonly wrong: number
  readonly byKind: Record<FailureForgery, { readonly tasks: number; readonly flagged: number; readonly blocked: number }>
  /** Forged entries the stranger wrote. */
  readonly written: number
}

const ORIGIN = 'stranger'
const DAY = 24 * 3_600_000
const square = ({ x }: { x: number }): number => x * x

/** The stranger's writer: raw Yjs into its own replica of a job document, as a peer running other code would. */
function writeJob(index: JobIndex, map: 'claims' | 'failures', entries: ReadonlyArray<readonly [string, unknown]>): void {
  const target = index.job.doc.getMap(map)
  index.job.doc.transact(() => {
    for (const [key, value] of entries) target.set(key, value)
  }, ORIGIN)
}

function forgedClaim(stranger: Identity, peer: PeerId, attempt: number, claimedAt: number, leaseUntil: number): Record<string, unknown> {
  return { peer, attempt, claimedAt, leaseUntil, batch: 1, proof: forgedProof(stranger) }
}

function forge(kind: FailureForgery, index: JobIndex, task: string, key: TaskKey, stranger: Identity, honest: readonly PeerId[], clock: Clock): Array<readonly [string, unknown]> {
  const now = clock.now()
  const { maxLostLeases, maxAttempts, leaseMs, id } = index.spec
  const named = (i: number): PeerId => honest[i % honest.length] as PeerId
  const lapse = (attempt: number, peer: PeerId, claim: unknown) => [
    `${task}/${attempt}`,
    { peer, attempt, kind: 'lease-expired', error: { name: 'LeaseExpiredError', message: `peer ${peer} stopped renewing its lease` }, at: now, lapsed: claim },
  ] as const
  const timeout = (attempt: number, peer: PeerId, proof: unknown) => [
    `${task}/${attempt}`,
    { peer, attempt, kind: 'timeout', error: { name: 'TaskTimeoutError', message: 'forged' }, at: now, proof },
  ] as const
  const attempts = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
  switch (kind) {
    case 'lost-leases':
      return attempts(maxLostLeases).map((a) => lapse(a, named(a), forgedClaim(stranger, named(a), a, now - 2 * leaseMs, now - leaseMs)))
    case 'timeouts':
      return attempts(maxAttempts).map((a) => timeout(a, named(a), forgedProof(stranger)))
    case 'claims':
      return [[task, forgedClaim(stranger, named(Number(task)), 1, now, now + DAY)]]
    case 'own-lapses':
      return attempts(maxLostLeases).map((a) => lapse(a, stranger.peer, ownClaim(stranger, id, task, key, { attempt: a, claimedAt: now - 2 * leaseMs, leaseUntil: now - leaseMs })))
    case 'own-timeouts':
      return attempts(maxAttempts).map((a) => timeout(a, stranger.peer, ownTimeout(stranger, id, task, key, a)))
  }
}

export interface ForgedFailureOptions {
  readonly tasks: number
  readonly limitMs?: number
  readonly log?: (line: string) => void
}

export async function forgeFailures(arena: SimArena, options: ForgedFailureOptions): Promise<ForgedFailureFigures> {
  const { tasks, limitMs = 30_000 } = options
  const log = options.log ?? (() => {})
  const { clock, network, random } = arena.sim
  const victim = await arena.host('victim')
  const stranger = new SimPeer({ name: 'stranger', network, clock, random, subject: 'net:stranger' })
  const honest = arena.sim.donors.map((donor) => donor.id)
  const kindOf = (task: number): FailureForgery => FORGERY_KINDS[task % FORGERY_KINDS.length] as FailureForgery
  let written = 0
  const overwrites = new Map<string, number>()
  const watched = new Set<JobIndex>()
  const stop = watchTasks(stranger, clock, (index, task, key) => {
    const entries = forge(kindOf(Number(task)), index, task, key, stranger.identity, honest, clock)
    const map = kindOf(Number(task)) === 'claims' ? 'claims' : 'failures'
    writeJob(index, map, entries)
    written += entries.length
    if (watched.has(index)) return
    watched.add(index)
    // Honest claims of the `claims` tasks are overwritten too, the first two of each.
    index.job.doc.getMap('claims').observe((event, transaction) => {
      if (transaction.origin === ORIGIN) return
      for (const changed of event.keysChanged) {
        const done = overwrites.get(changed) ?? 0
        if (kindOf(Number(changed)) !== 'claims' || done >= 2) continue
        overwrites.set(changed, done + 1)
        const now = clock.now()
        clock.setTimeout(() => writeJob(index, 'claims', [[changed, forgedClaim(stranger.identity, honest[done % honest.length] as PeerId, 1 + done, now, now + DAY)]]), 0)
        written++
      }
    })
  })
  await arena.sim.wait(500)

  const xs = Array.from({ length: tasks }, (_, x) => x)
  const seen: Array<Settled<{ x: number }, number>> = []
  const controller = new AbortController()
  const fn = victim.pure(square, { name: 'square' })
  const streaming = (async () => {
    for await (const s of fn.stream(xs.map((x) => ({ x })), { settle: true, signal: controller.signal })) seen.push(s as Settled<{ x: number }, number>)
  })().catch(() => {})
  await arena.until(() => seen.length === tasks, limitMs)
  controller.abort('the time allowed has passed')
  await arena.settle(streaming, 30_000)
  stop()
  await stranger.close()

  const byKind = Object.fromEntries(FORGERY_KINDS.map((kind) => [kind, { tasks: 0, flagged: 0, blocked: 0 }])) as Record<FailureForgery, { tasks: number; flagged: number; blocked: number }>
  for (const x of xs) byKind[kindOf(x)].tasks++
  let wrong = 0
  for (const s of seen) {
    if (s.status === 'rejected') byKind[kindOf(s.args.x)].flagged++
    else if (s.value !== s.args.x * s.args.x) wrong++
  }
  const settled = new Set(seen.map((s) => s.args.x))
  for (const x of xs) if (!settled.has(x)) byKind[kindOf(x)].blocked++
  const flagged = seen.filter((s) => s.status === 'rejected').length
  const blocked = tasks - settled.size
  log(`forged failures and claims: ${flagged} of ${tasks} victim calls flagged, ${blocked} blocked, ${wrong} wrong (${written} forged entries); ${FORGERY_KINDS.map((kind) => `${kind} ${byKind[kind].flagged}+${byKind[kind].blocked}/${byKind[kind].tasks}`).join(', ')}`)
  return { tasks, flagged, blocked, wrong, byKind, written }
}
