import type * as Y from 'yjs'
import {
  JobTracker,
  putReport,
  signOutcomes,
  toBase64Url,
  type CacheEntry,
  type Clock,
  type Execution,
  type Executor,
  type Identity,
  type JobIndex,
  type KeywordArgs,
  type Outcome,
  type PeerPort,
  type PureFunctionSource,
  type Report,
  type RunOptions,
  type TaskKey,
  type Value,
} from '@tessera/core'
import { signedCacheEntry } from '@tessera/core/testing'

/**
 * What hostile peers do in the adversarial suite (docs/trust.md). Each attack
 * uses only what any peer holds: its own replicas of the shared documents,
 * written directly (a peer may run any code), and keys it made itself. One
 * copy, shared by the simulator tests, the mesh tests and `bench/trust.ts`.
 */

/** A Yjs update carries at most 64 KiB; a signed entry is under 1 KiB. */
const ENTRIES_PER_WRITE = 16

/**
 * Writes entries of one of a peer's shared maps as raw Yjs, bypassing
 * `swarm/writes.ts` and its rules, as a peer running other code would.
 * `undefined` deletes the entry.
 */
export function writeRaw(peer: PeerPort, map: 'cache' | 'jobs' | 'certs', entries: ReadonlyArray<readonly [string, unknown]>): void {
  for (let i = 0; i < entries.length; i += ENTRIES_PER_WRITE) {
    peer.swarm.transact(() => {
      for (const [key, value] of entries.slice(i, i + ENTRIES_PER_WRITE)) {
        for (const target of targetsOf(peer, map, key)) {
          if (value === undefined) target.delete(key)
          else target.set(key, value)
        }
      }
    })
  }
}

/**
 * Where a raw write lands. Cache entries live in the writers' shards (docs/cache-tree.md), and any
 * peer may write any shard: the attacker writes over (or deletes) the key wherever it is, and where
 * it is nowhere, into the map every reader still reads.
 */
function targetsOf(peer: PeerPort, map: 'cache' | 'jobs' | 'certs', key: string): Array<Y.Map<unknown>> {
  if (map !== 'cache') return [peer.swarm.doc.getMap(map)]
  const holding = peer.swarm.cacheShards.shards().filter(([, shard]) => shard.has(key)).map(([, shard]) => shard as unknown as Y.Map<unknown>)
  return holding.length > 0 ? holding : [peer.swarm.doc.getMap('cache')]
}

/** The raw entry a peer's replica holds, unchecked: how a test sees that a forgery has arrived. */
export function rawEntry(peer: PeerPort, map: 'cache' | 'jobs', key: string): unknown {
  return map === 'cache' ? peer.swarm.cacheShards.all(key)[0] : peer.swarm.doc.getMap(map).get(key)
}

/** A donor's executor that computes honestly and then reports `lie(value)` instead. */
export class LyingExecutor implements Executor {
  constructor(
    private readonly inner: Executor,
    private readonly lie: (value: Value, args: KeywordArgs) => Value,
  ) {}

  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    const execution = await this.inner.run(fn, args, options)
    return execution.kind === 'value' ? { ...execution, value: this.lie(execution.value, args) } : execution
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

/**
 * How a cache forgery is made:
 * - `unsigned`: no proofs (what every peer served on 2026-11-30), or, in turn,
 *   a made-up signature under the attacker's id;
 * - `stolen`: honest proofs pinned on a lie, honest proofs relabelled with the
 *   attacker's id, and honest entries replayed under other calls' keys, in turn;
 * - `self-signed`: the lie, signed with the attacker's own key;
 * - `sybil`: the lie, signed with each of several keys the attacker made.
 */
export type ForgeryKind = 'unsigned' | 'stolen' | 'self-signed' | 'sybil'

export interface ForgeryInput {
  readonly key: TaskKey
  /** The outcome the attacker wants served (its value already put in the attacker's store). */
  readonly lie: Outcome
  readonly attacker: Identity
  /** The keys a Sybil signs with. */
  readonly sybils: readonly Identity[]
  /** An honest, verified entry of another call, for the kinds that steal proofs. */
  readonly stolen: { readonly key: TaskKey; readonly entry: CacheEntry }
}

/** The forged entry of `kind`; `i` rotates among the variants of `stolen`. Replays serve the other call's value instead of `lie`. */
export function forgeEntry(kind: ForgeryKind, input: ForgeryInput, i: number): CacheEntry {
  const { key, lie, attacker, sybils, stolen } = input
  const bare = (proofs: CacheEntry['proofs']): CacheEntry =>
    lie.kind === 'value' ? { kind: 'value', result: lie.result, proofs } : { kind: 'failure', error: lie.error, proofs }
  switch (kind) {
    case 'unsigned':
      return bare(i % 2 === 0 ? [] : [{ peer: attacker.peer, leaf: 0, size: 1, path: '', sig: toBase64Url(new Uint8Array(64).fill(i % 256)) }])
    case 'stolen':
      if (i % 3 === 0) return bare(stolen.entry.proofs)
      if (i % 3 === 1) return bare(stolen.entry.proofs.map((proof) => ({ ...proof, peer: attacker.peer })))
      return stolen.entry
    case 'self-signed':
      return signedCacheEntry([attacker], key, lie)
    case 'sybil':
      return signedCacheEntry(sybils, key, lie)
  }
}

/** The outcome of `entry`, as a reader would be served it. */
export function outcomeOf(entry: CacheEntry): Outcome {
  return entry.kind === 'value' ? { kind: 'value', result: entry.result } : { kind: 'thrown', error: entry.error }
}

/**
 * Calls `onTask` for every task of every job that `peer` can see, once each,
 * as the tasks arrive: a hostile peer's view of the swarm's work, through a
 * job tracker of its own. Returns how to stop.
 */
export function watchTasks(peer: PeerPort, clock: Clock, onTask: (index: JobIndex, task: string, key: TaskKey) => void): () => void {
  const tracker = new JobTracker(peer, { clock, dropAfterMs: Number.POSITIVE_INFINITY, admission: 'unlimited' })
  const seen = new Set<string>()
  const unobserve: Array<() => void> = []
  const scan = (index: JobIndex): void => {
    for (let i = 0; i < index.spec.taskCount; i++) {
      const id = `${index.spec.id}/${i}`
      const task = index.task(String(i))
      if (task === undefined || seen.has(id)) continue
      seen.add(id)
      onTask(index, String(i), task.key)
    }
  }
  const onOpen = (index: JobIndex): void => {
    scan(index)
    const observer = (): void => scan(index)
    index.job.doc.getMap('tasks').observe(observer)
    unobserve.push(() => index.job.doc.getMap('tasks').unobserve(observer))
  }
  tracker.onOpen(onOpen)
  for (const index of tracker.openJobs()) onOpen(index)
  return () => {
    unobserve.forEach((stop) => stop())
    tracker.close()
  }
}

/**
 * A Sybil: one peer that writes, for every task it sees, a report of `lie`
 * under each of `identities` (keys it made; the simulator seeds them so that
 * runs repeat), without running anything.
 * Each identity signs its reports of a job as one batch, as donors do.
 */
export function sybilReporter(peer: PeerPort, clock: Clock, identities: readonly Identity[], lie: Outcome): { stop(): void; readonly written: number } {
  let written = 0
  let stopped = false
  const pending = new Map<JobIndex, Array<{ task: string; key: TaskKey }>>()
  let flushing = false
  const flush = (): void => {
    flushing = false
    if (stopped) return
    for (const [index, tasks] of pending) {
      const reports = identities.map((identity) => {
        const proofs = signOutcomes(identity, tasks.map(({ key }) => ({ key, outcome: lie })))
        return proofs.map((proof): Report => ({ peer: identity.peer, attempt: 1, outcome: lie, proof, durationMs: 1, at: clock.now() }))
      })
      for (let i = 0; i < tasks.length; i += ENTRIES_PER_WRITE) {
        index.job.transact(() => {
          for (let t = i; t < Math.min(tasks.length, i + ENTRIES_PER_WRITE); t++) {
            for (const byIdentity of reports) putReport(index.job, (tasks[t] as { task: string }).task, byIdentity[t] as Report)
            written += reports.length
          }
        })
      }
    }
    pending.clear()
  }
  const unwatch = watchTasks(peer, clock, (index, task, key) => {
    pending.set(index, [...(pending.get(index) ?? []), { task, key }])
    // Tasks arrive in several updates: batch them as a donor batches its flushes.
    if (!flushing) clock.setTimeout(flush, 50)
    flushing = true
  })
  return {
    stop: () => {
      stopped = true
      unwatch()
    },
    get written() {
      return written
    },
  }
}
