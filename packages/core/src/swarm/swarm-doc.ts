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
import { checkCacheEntry, checkHolder, checkJobEntry, checkStoredValue } from './records.ts'

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
  readonly cache: ReadonlyDocMap<unknown>
  readonly values: ReadonlyDocMap<unknown>
  readonly holders: ReadonlyDocMap<unknown>
  /** Peers' subject certificates, by peer: each proves itself (`peer/subjects.ts` checks them). */
  readonly certs: ReadonlyDocMap<unknown>
  #admins: AdminTrust | undefined

  constructor(readonly doc: Y.Doc = new Y.Doc({ guid: SWARM_DOC_GUID })) {
    this.jobs = doc.getMap('jobs')
    this.cache = doc.getMap('cache')
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
    const entry = checkCacheEntry(key, this.cache.get(key))
    return entry === undefined || policy === undefined || meetsPolicy(entry, policy) ? entry : undefined
  }

  value(address: Address): StoredValue | undefined {
    return storedValueOf(checkStoredValue(this.values.get(address)))
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
