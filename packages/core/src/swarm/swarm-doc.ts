import * as Y from 'yjs'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import {
  holderKey,
  storedValueOf,
  SWARM_DOC_GUID,
  type CacheEntry,
  type JobEntry,
  type ReadonlyDocMap,
  type StoredValue,
} from './schema.ts'
import type { AdminTrust } from './admin-cancellation.ts'
import { meetsPolicy, type CachePolicy } from './cache-policy.ts'
import { checkCacheEntry, checkCacheRoot, checkHolder, checkJobEntry, checkStoredValue, type CacheRoot } from './records.ts'
import { Shards, type Packs, type ShardedView } from './cache-shards.ts'
import { isPackKey, packEntries, packKeys, packOpened } from './cache-packs.ts'
import { strongerEntry } from './cache-merge.ts'
import { keysAsSubjects, type SubjectOf } from './cache-strength.ts'

const CACHE_PACKS: Packs = { isPack: isPackKey, keysOf: packKeys, entriesOf: packEntries, opened: packOpened }

/**
 * Read access to the swarm document: jobs, the result cache, the value index
 * and who holds which blob. Writes go through `swarm/writes.ts` only.
 *
 * Any peer can write any entry, so the maps hold `unknown`: read records
 * through the methods here, which check each one (`records.ts`) and treat an
 * entry that fails as absent. The maps themselves are for keys, sizes and
 * observers.
 */
export class SwarmDoc {
  readonly jobs: ReadonlyDocMap<unknown>
  /** Cache entries not yet compacted into the tree, across their shards (`cache-shards.ts`). */
  readonly cache: ShardedView
  readonly values: ReadonlyDocMap<unknown>
  /** The shards themselves: cache entries, and the value index of results, by `<epoch>/<writer>`. */
  readonly cacheShards: Shards
  readonly resultShards: Shards
  /** The cache tree's roots (`cache-tree/`), by `<epoch>/<writer>`; usually one, two after concurrent compactions. */
  readonly cacheRoots: ReadonlyDocMap<unknown>
  /** The epochs opened so far, one key each; writers write into the highest (`liveEpoch`). */
  readonly cacheEpoch: ReadonlyDocMap<unknown>
  readonly holders: ReadonlyDocMap<unknown>
  /** Peers' subject certificates, by peer: each proves itself (`peer/subjects.ts` checks them). */
  readonly certs: ReadonlyDocMap<unknown>
  #admins: AdminTrust | undefined

  constructor(readonly doc: Y.Doc = new Y.Doc({ guid: SWARM_DOC_GUID })) {
    this.jobs = doc.getMap('jobs')
    this.cacheShards = new Shards(doc.getMap('cacheShards'), doc.getMap('cache'), CACHE_PACKS)
    this.resultShards = new Shards(doc.getMap('resultShards'))
    this.cache = this.cacheShards
    this.cacheRoots = doc.getMap('cacheRoots')
    this.cacheEpoch = doc.getMap('cacheEpoch')
    this.cacheEpoch.observe(() => (this.#live = undefined))
    this.values = doc.getMap('values')
    this.holders = doc.getMap('holders')
    this.certs = doc.getMap('certs')
  }

  /** Whose admin certificates count here (`recognizeAdmins`); none until a peer says. */
  get admins(): AdminTrust | undefined {
    return this.#admins
  }

  /**
   * Job cancellations by room admins count from now on, when the admin's
   * certificate comes from one of `trust`'s issuers for its room: the peer
   * passes its roster, whose issuers are those its signaling server announced.
   */
  recognizeAdmins(trust: AdminTrust): void {
    this.#admins = trust
  }

  /**
   * Which subject a signer counts as, where two shards hold entries for one
   * key and the reader must choose (`strongerEntry`): the peer's `Subjects`,
   * as writers weigh entries. Until a peer says, each key is its own subject.
   */
  weighSubjectsBy(subjectOf: SubjectOf): void {
    this.#subjectOf = subjectOf
  }
  #subjectOf: SubjectOf = keysAsSubjects

  /** The job listed under `id`, unless its entry is malformed or signed by neither its submitter nor a room admin. */
  job(id: JobId): JobEntry | undefined {
    return checkJobEntry(id, this.jobs.get(id), this.#admins)
  }

  /** Every well-formed job entry; malformed ones are skipped. */
  *jobEntries(): Generator<JobEntry> {
    for (const [id, raw] of this.jobs) {
      const entry = checkJobEntry(id, raw, this.#admins)
      if (entry !== undefined) yield entry
    }
  }

  /** The cache entry for a call, if its proofs hold; `policy` asks for more than one (`meetsPolicy`). */
  cached(key: TaskKey, policy?: CachePolicy): CacheEntry | undefined {
    const found = this.cacheShards.all(key)
    let entry: CacheEntry | undefined
    // Usually one shard holds the key; where several writers cached it, the strongest entry stands.
    for (const raw of found) entry = strongerEntry(entry, checkCacheEntry(key, raw), this.#subjectOf)
    return entry === undefined || policy === undefined || meetsPolicy(entry, policy) ? entry : undefined
  }

  /**
   * Some entry for the call holds its proofs: `cached(key) !== undefined`, read
   * only until one does. Each pack it opens is checked whole, so a peer asking
   * this of every settled task checks one writer's packs, not every writer's.
   */
  isCached(key: TaskKey): boolean {
    for (const raw of this.cacheShards.each(key)) if (checkCacheEntry(key, raw) !== undefined) return true
    return false
  }

  /** The epoch writers write into now. */
  liveEpoch(): number {
    if (this.#live === undefined) {
      let live = 0
      for (const key of this.cacheEpoch.keys()) if (/^\d{1,9}$/.test(key)) live = Math.max(live, Number(key))
      this.#live = live
    }
    return this.#live
  }
  #live: number | undefined

  /** The cache tree's roots, each once (two compactors may file the same root), with the keys of its records. */
  cacheTreeRoots(): Array<CacheRoot & { readonly keys: readonly string[] }> {
    const roots = new Map<Address, CacheRoot & { keys: string[] }>()
    for (const [key, raw] of this.cacheRoots) {
      const record = checkCacheRoot(raw)
      if (record === undefined) continue
      const known = roots.get(record.root)
      if (known === undefined) roots.set(record.root, { ...record, keys: [key] })
      else known.keys.push(key)
    }
    return [...roots.values()].sort((a, b) => (a.root < b.root ? -1 : 1))
  }

  value(address: Address): StoredValue | undefined {
    const listed = storedValueOf(checkStoredValue(this.values.get(address)))
    if (listed?.inline !== undefined) return listed
    // A listing without bytes may be anyone's (a stranger can list any address): bytes found elsewhere win.
    for (const raw of this.resultShards.all(address)) {
      const value = storedValueOf(checkStoredValue(raw))
      if (value?.inline !== undefined) return value
    }
    return listed
  }

  /** Whether the index lists `address` at all (well-formed or not). */
  listsValue(address: Address): boolean {
    return this.values.has(address) || this.resultShards.has(address)
  }

  /** Peers that have said they hold `address`, most recent first. */
  holdersOf(address: Address): PeerId[] {
    const prefix = `${address}/`
    const found: Array<{ peer: PeerId; at: number }> = []
    for (const [key, raw] of this.holders) {
      if (!key.startsWith(prefix) || key.length === prefix.length) continue
      const holder = checkHolder(raw)
      if (holder !== undefined) found.push({ peer: key.slice(prefix.length) as PeerId, at: holder.at })
    }
    return found.sort((a, b) => b.at - a.at).map((h) => h.peer)
  }

  /** Runs `fn` in one transaction, so its writes go out as one update. */
  transact(fn: () => void, origin?: unknown): void {
    this.doc.transact(fn, origin)
  }
}
