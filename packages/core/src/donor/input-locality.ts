import { fromBase64 } from 'lib0/buffer'
import { isAddress } from '../address.ts'
import { decodeCanonical } from '../encoding/canonical.ts'
import { isPlainObject } from '../encoding/supported-value.ts'
import type { Address, JobId, PeerId } from '../ids.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import { holderKey, type TaskId, type TaskRecord } from '../swarm/schema.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { DependencyGate } from './dependency-gate.ts'

const FORGET_AFTER_MS = 60_000
/** A holder with this many unfinished claims in the job (one running, one fetched ahead) is busy: its blocks' tasks are not left to it. */
const BUSY_CLAIMS = 2

/** Value links (`{ "/": address }`) in a task's inline arguments, read once per record. */
const linksOfRecord = new WeakMap<TaskRecord, readonly Address[]>()

/**
 * Data-locality placement (issue 18): a task whose input blocks (its task
 * links' results and the values its arguments link to) are held mostly by
 * another live donor is left to that donor for a grace, so the blocks do not
 * cross the network; after the grace, or when the holder is gone, anyone
 * takes it, as designation does for its designees. Only blobs count: values
 * small enough to ride in the swarm document are held by every peer. Only in
 * jobs that take one result (quorum 1, no replication), and for first runs in
 * jobs that replicate adaptively; replicas and other jobs are unchanged.
 */
export class InputLocality {
  /** Per job: when this peer first saw each task it left to a holder. */
  readonly #waiting = new Map<JobId, Map<TaskId, number>>()
  readonly #used = new Map<JobId, number>()

  constructor(
    private readonly self: PeerId,
    private readonly swarm: SwarmDoc,
    private readonly deps: DependencyGate,
    /** Live peers with workers; without it, nothing is left to anyone. */
    private readonly liveDonors: (() => readonly PeerId[]) | undefined,
    /** The least grace: about one scheduling round trip (a claim, its settle window). */
    private readonly minGraceMs: number,
  ) {}

  /** Bytes of the task's blob inputs this peer holds (computed, fetched or stored here). */
  heldHere(view: JobIndex, task: TaskId): number {
    let held = 0
    for (const input of this.#inputs(view, task, new Set())) if (input.holders.has(this.self)) held += input.bytes
    return held
  }

  /**
   * For one claim scan: `leaves(task)` says whether this peer should leave
   * the task for now, because a live donor other than this one holds more of
   * its input bytes and the task has waited for it less than the grace (with
   * `orBusy` false, not when that donor already holds a queue in the job);
   * `reopensAt()`, when the first task left so far may be taken after all;
   * `firstClaim(task)`, whether this peer holds the most of the task's input
   * bytes: every other donor leaves it to this
   * one for the grace, so its claim needs no settle window (a Cholesky block's
   * producer takes its dependents at once, not a settle window later).
   */
  gate(view: JobIndex, now: number): LocalityGate {
    const live = new Set(this.liveDonors?.() ?? [])
    let reopens = Number.POSITIVE_INFINITY
    // Where one result is taken, and for the first run of a task in a job that replicates adaptively
    // (its submitter takes a trusted reporter's word alone). Not for replicas: a job that pairs them
    // has designees (`designation.ts`), whom holder records, anyone's word (`addHolder`), must not
    // outrank. Holder records can delay a first run by one grace, no more; a stranger that ignores
    // placement could claim the task anyway.
    const takesOne = view.spec.quorum === 1 && view.spec.replication === undefined
    const firstRunsOnly = !takesOne && view.spec.replication === 'adaptive'
    if (live.size < 2 || !(takesOne || firstRunsOnly)) return { active: false, leaves: () => false, yields: () => false, reopensAt: () => reopens, firstClaim: () => false }
    const waiting = this.#waitingFor(view, now)
    const graceMs = this.graceMs(view)
    const standings = new Map<TaskId, { mine: number; best: number; holder: PeerId | undefined }>()
    // The live donors in one order every peer agrees on: placement group g goes to the (g mod n)th.
    let ranked: PeerId[] | undefined
    const standing = (task: TaskId): { mine: number; best: number; holder: PeerId | undefined } => {
      const known = standings.get(task)
      if (known !== undefined) return known
      if (firstRunsOnly && view.reports(task).length > 0) return UNPLACED
      const byPeer = new Map<PeerId, number>()
      for (const input of this.#inputs(view, task, live)) {
        for (const peer of input.holders) if (peer === this.self || live.has(peer)) byPeer.set(peer, (byPeer.get(peer) ?? 0) + input.bytes)
      }
      let best = 0
      let holder: PeerId | undefined
      for (const [peer, bytes] of byPeer) if (peer !== this.self && bytes > best) (best = bytes, (holder = peer))
      let mine = byPeer.get(this.self) ?? 0
      // Inputs that do not decide (none yet, as for a block's maker, or a tie) leave it to the task's placement group.
      const affinity = best === mine ? view.task(task)?.affinity : undefined
      if (affinity !== undefined) {
        const owner = (ranked ??= [...new Set([...live, this.self])].sort())[affinity % ranked.length] as PeerId
        if (owner === this.self) mine += 1
        else (best += 1, (holder = owner))
      }
      const found = { mine, best, holder }
      standings.set(task, found)
      return found
    }
    let claims: Map<PeerId, number> | undefined
    // A holder with a queue of its own would run the task late: with `orBusy` false, it is left only to a holder with fewer.
    const busy = (peer: PeerId): boolean => ((claims ??= liveClaims(view, now)).get(peer) ?? 0) >= BUSY_CLAIMS
    const leaves = (task: TaskId, orBusy = true): boolean => {
      const { mine, best, holder } = standing(task)
      if (best <= mine || holder === undefined || (!orBusy && busy(holder))) {
        waiting.delete(task)
        return false
      }
      let since = waiting.get(task)
      if (since === undefined) waiting.set(task, (since = now))
      if (now - since >= graceMs) return false
      // Looked at again soon: the holder may have taken a queue meanwhile (`orBusy`).
      reopens = Math.min(reopens, since + graceMs, now + this.minGraceMs / 2)
      return true
    }
    const firstClaim = (task: TaskId): boolean => {
      const { mine, best } = standing(task)
      return mine > best
    }
    const yields = (task: TaskId): boolean => {
      const { mine, best, holder } = standing(task)
      return holder !== undefined && best > mine
    }
    return { active: true, leaves, yields, reopensAt: () => reopens, firstClaim }
  }

  /** Whether this peer left some of the job's tasks to their holders, still in their grace: it is not out of work, so it backs up no straggler. */
  leftToHolders(view: JobIndex, now: number): boolean {
    const graceMs = this.graceMs(view)
    for (const since of this.#waiting.get(view.spec.id)?.values() ?? []) if (now - since < graceMs) return true
    return false
  }

  /** About two run times of the job's tasks, within [minGraceMs, a quarter lease]: a holder busy for longer is not waited for. */
  graceMs(view: JobIndex): number {
    const recent = view.reportedDurations().slice(-64)
    const sorted = [...recent].sort((a, b) => a - b)
    const median = sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] as number)
    return Math.min(Math.max(2 * median, this.minGraceMs), Math.max(view.spec.leaseMs / 4, this.minGraceMs))
  }

  /** The task's blob inputs, each with who holds it among this peer and `live`. */
  #inputs(view: JobIndex, task: TaskId, live: ReadonlySet<PeerId>): Array<{ readonly bytes: number; readonly holders: ReadonlySet<PeerId> }> {
    const record = view.task(task)
    if (record === undefined) return []
    const inputs: Array<{ bytes: number; holders: Set<PeerId> }> = []
    for (const key of record.deps ?? []) {
      const result = this.deps.resultOf(view, key)
      if (result === undefined || result.bytes === 0) continue
      const holders = new Set<PeerId>(result.provers)
      if (result.own) holders.add(this.self)
      this.#listedHolders(result.address, holders, live)
      inputs.push({ bytes: result.bytes, holders })
    }
    for (const address of valueLinksOf(record)) {
      const stored = this.swarm.value(address)
      if (stored === undefined || stored.inline !== undefined) continue
      const holders = new Set<PeerId>()
      this.#listedHolders(address, holders, live)
      inputs.push({ bytes: stored.size, holders })
    }
    return inputs
  }

  /** Who the document says holds the blob: this peer and the live donors (one lookup each, not a scan of every holder). */
  #listedHolders(address: Address, into: Set<PeerId>, live: ReadonlySet<PeerId>): void {
    if (this.swarm.holders.has(holderKey(address, this.self))) into.add(this.self)
    for (const peer of live) if (this.swarm.holders.has(holderKey(address, peer))) into.add(peer)
  }

  #waitingFor(view: JobIndex, now: number): Map<TaskId, number> {
    const job = view.spec.id
    this.#used.set(job, now)
    for (const [id, at] of this.#used) if (now - at > FORGET_AFTER_MS) (this.#used.delete(id), this.#waiting.delete(id))
    let waiting = this.#waiting.get(job)
    if (waiting === undefined) this.#waiting.set(job, (waiting = new Map()))
    // Bounded by the open tasks: those claimed elsewhere meanwhile are dropped once they outnumber them.
    if (waiting.size > 2 * view.openCount() + 256) {
      const open = new Set(view.openTasks())
      for (const task of waiting.keys()) if (!open.has(task)) waiting.delete(task)
    }
    return waiting
  }
}

/** A task placement leaves to designation: nobody holds more of it than anyone else. */
const UNPLACED = { mine: 0, best: 0, holder: undefined } as const

/** One claim scan's view of placement (`InputLocality.gate`). */
export interface LocalityGate {
  /** Whether placement applies to this job at all: without it, the other answers are all false. */
  readonly active: boolean
  /** Leave the task for now: another live donor holds more of its inputs, and its grace runs (with `orBusy` false, not when that donor holds a queue). */
  leaves(task: TaskId, orBusy?: boolean): boolean
  /** Another live donor holds more of the task's inputs, grace or not: a donor with tasks of its own takes those first. */
  yields(task: TaskId): boolean
  /** When the first task left so far may be taken after all. */
  reopensAt(): number
  /** This peer holds the most of the task's inputs: every other donor leaves it alone, so its claim needs no settle window. */
  firstClaim(task: TaskId): boolean
}

/** Unfinished claims per peer in the job, leases not lapsed. */
function liveClaims(view: JobIndex, now: number): Map<PeerId, number> {
  const counts = new Map<PeerId, number>()
  for (const task of view.openTasks()) {
    const claim = view.claim(task)
    if (claim !== undefined && claim.leaseUntil > now) counts.set(claim.peer, (counts.get(claim.peer) ?? 0) + 1)
  }
  return counts
}

/** Value links in the task's inline arguments (those in the value store are not read here: that would be a fetch per scan). */
function valueLinksOf(record: TaskRecord): readonly Address[] {
  const known = linksOfRecord.get(record)
  if (known !== undefined) return known
  let found: Address[] = []
  try {
    // Not checked against the record's address (the run does that): a forged record can only mislead placement.
    const inline = record.inlineArgs === undefined ? undefined : fromBase64(record.inlineArgs)
    // Only arguments with a one-letter "/" key (CBOR 0x61 0x2f) can hold a link: most tasks' are not decoded here.
    if (inline !== undefined && hasSlashKey(inline)) collectLinks(decodeCanonical(inline), found)
  } catch {
    // A record to be ignored is ignored where it is run; here it just has no known inputs.
    found = []
  }
  linksOfRecord.set(record, found)
  return found
}

function hasSlashKey(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0x61); i >= 0 && i < bytes.length - 1; i = bytes.indexOf(0x61, i + 1)) if (bytes[i + 1] === 0x2f) return true
  return false
}

function collectLinks(value: unknown, found: Address[]): void {
  if (Array.isArray(value)) for (const item of value) collectLinks(item, found)
  else if (isPlainObject(value)) {
    const keys = Object.keys(value)
    if (keys.length === 1 && keys[0] === '/' && isAddress(value['/'])) found.push(value['/'] as Address)
    else for (const item of Object.values(value)) collectLinks(item, found)
  }
}
