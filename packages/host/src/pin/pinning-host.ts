import { join } from 'node:path'
import { addHolder, DEFAULT_MAX_BLOB_BYTES, removeHolder, type Address, type PeerId, type TaskKey } from '@tessera/core'
import { iceOptionsOf, startNodePeer, type IceOptions, type MeshPeer } from '@tessera/mesh/node'
import { planEviction, type Keep } from './eviction-policy.ts'
import { OpenJobs } from './open-jobs.ts'
import { PinStore, type MirrorStats } from './pin-store.ts'
import { S3Mirror, type S3MirrorOptions } from './s3-mirror.ts'

export interface PinningHostOptions extends IceOptions {
  readonly signaling: string | readonly string[]
  readonly room: string
  readonly token?: string
  /** The pinning host's data: documents, blobs and its key, under `<dir>/<room>/` as `connect({ cacheDir })` lays them out. */
  readonly dir: string
  /** Bytes of blobs it keeps on disk at most (documents are not counted: they stay small by design). */
  readonly quotaBytes: number
  /** A result stored or served this recently is never evicted. Default one hour. */
  readonly resultWindowMs?: number
  /** How often it looks again for what it could not fetch. Default 2 s. */
  readonly retryMs?: number
  /** Write every blob through to this S3-compatible bucket, and read back from it what the disk lacks. */
  readonly s3?: S3MirrorOptions
}

export interface PinningStats {
  /** Entries of the room's value index (inline values live in the swarm document, which is stored too). */
  readonly values: number
  readonly blobs: number
  readonly bytes: number
  readonly quotaBytes: number
  /** Blobs the index lists that are not on disk here: being fetched, unreachable, or left out for the quota. */
  readonly missing: number
  readonly fetched: number
  readonly evicted: number
  readonly served: number
  /** Distinct peers it has sent blobs to. */
  readonly peersServed: number
  readonly linked: number
  readonly openJobs: number
  /** Tasks of those jobs whose records have arrived. */
  readonly openTasks: number
  /** With a bucket (`s3`): what went to it and came back from it. */
  readonly s3?: MirrorStats
}

const DEFAULT_RESULT_WINDOW_MS = 3_600_000
const FETCHES_AT_ONCE = 4

/**
 * A peer that joins a room with no workers, stores the room's documents and
 * every blob its value index lists (function sources, arguments, results,
 * values put by hosts), fetched and verified as they appear, and serves them,
 * so the room's store outlives every tab. Eviction: docs/pinning.md.
 */
export class PinningHost {
  readonly #servedTo = new Set<PeerId>()
  readonly #inFlight = new Set<Address>()
  /** Addresses that could not be fetched, and when to try again. */
  readonly #retryAt = new Map<Address, number>()
  /** Evicted for the quota: not fetched again unless a live job comes to need them. */
  readonly #evicted = new Set<Address>()
  readonly #unobserve: Array<() => void> = []
  readonly #timer: ReturnType<typeof setInterval>
  #fetched = 0
  #evictions = 0
  #served = 0
  #sweeping: Promise<void> | undefined
  #again = false
  #closed = false

  private constructor(
    readonly peer: MeshPeer,
    private readonly store: PinStore,
    private readonly jobs: OpenJobs,
    private readonly options: PinningHostOptions,
    private readonly mirror: S3Mirror | undefined,
  ) {
    const swarm = peer.swarm
    for (const map of [swarm.values, swarm.holders, swarm.jobs, swarm.cache]) {
      const changed = (): void => this.#schedule()
      map.observe(changed)
      this.#unobserve.push(() => map.unobserve(changed))
    }
    this.#timer = setInterval(() => this.#schedule(), options.retryMs ?? 2_000)
    this.#timer.unref()
  }

  static async start(options: PinningHostOptions): Promise<PinningHost> {
    const dir = join(options.dir, encodeURIComponent(options.room))
    const mirror = options.s3 === undefined ? undefined : await S3Mirror.open(options.s3)
    const store = await PinStore.open(dir, mirror === undefined ? {} : { mirror })
    let swarm: MeshPeer['swarm'] | undefined
    store.restoreOnly((address) => swarm?.values.has(address) === true)
    let host: PinningHost | undefined
    let peer: MeshPeer
    try {
      peer = await startNodePeer({
        signaling: options.signaling,
        room: options.room,
        dir,
        workers: 0,
        blobStorage: store,
        ...(options.token === undefined ? {} : { token: options.token }),
        ...iceOptionsOf(options),
        onServed: (to, address) => {
          if (host !== undefined) host.#onServed(to, address)
        },
      })
      swarm = peer.swarm
      // A peer that cannot join closes itself.
      await peer.join()
    } catch (error) {
      mirror?.close()
      throw error
    }
    host = new PinningHost(peer, store, new OpenJobs(peer), options, mirror)
    // What is on disk is served from the first moment: say so, in case the index lost our word.
    peer.swarm.transact(() => {
      for (const blob of store.held()) if (peer.swarm.values.has(blob.address)) addHolder(peer.swarm, blob.address, peer.id, Date.now())
    })
    // The first pass starts now; a holder out of reach must not hold up the start.
    host.#schedule()
    return host
  }

  /** Runs one pass over the index now and waits for it (and any pass it asked for). */
  async settle(): Promise<void> {
    this.#schedule()
    while (this.#sweeping !== undefined) await this.#sweeping
  }

  stats(): PinningStats {
    return {
      values: this.peer.swarm.values.size,
      blobs: this.store.count,
      bytes: this.store.bytes,
      quotaBytes: this.options.quotaBytes,
      missing: this.#listedBlobs().filter((address) => !this.store.holds(address)).length,
      fetched: this.#fetched,
      evicted: this.#evictions,
      served: this.#served,
      peersServed: this.#servedTo.size,
      linked: this.peer.mesh.openPeers().length,
      openJobs: this.jobs.count,
      openTasks: this.jobs.tasks,
      ...(this.store.mirrorStats() === undefined ? {} : { s3: this.store.mirrorStats() }),
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    for (const off of this.#unobserve) off()
    // Closing the peer ends the fetches in flight (their requests settle unanswered), so the pass ends too.
    await this.peer.close()
    // A fetch still waiting for a link to a holder gives up within seconds; exiting need not wait that long.
    await Promise.race([this.#sweeping?.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1_000).unref())])
    this.mirror?.close()
  }

  #onServed(to: PeerId, address: Address): void {
    this.#served++
    this.#servedTo.add(to)
    void this.store.used(address)
  }

  #schedule(): void {
    if (this.#closed) return
    if (this.#sweeping !== undefined) {
      this.#again = true
      return
    }
    this.#sweeping = this.#sweep()
      .catch((error: unknown) => process.emitWarning(`pinning pass failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.#sweeping = undefined
        if (this.#again) {
          this.#again = false
          this.#schedule()
        }
      })
  }

  /** Blob addresses the value index lists (large values only: small ones are inside the document). */
  #listedBlobs(): Address[] {
    const found: Address[] = []
    for (const key of this.peer.swarm.values.keys()) {
      const value = this.peer.swarm.value(key as Address)
      if (value !== undefined && value.inline === undefined) found.push(key as Address)
    }
    return found
  }

  async #sweep(): Promise<void> {
    await this.jobs.sync()
    const now = Date.now()
    const wanted = this.#listedBlobs().filter((address) => !this.store.holds(address) && !this.#inFlight.has(address) && (this.#retryAt.get(address) ?? 0) <= now)
    let keep: Keep | undefined
    // Reading what to keep opens every open job's task list: only done when the quota is near.
    const keepNow = (): Keep => (keep ??= this.#keep())
    const queue = [...wanted]
    const worker = async (): Promise<void> => {
      for (let address = queue.shift(); address !== undefined && !this.#closed; address = queue.shift()) await this.#pin(address, keepNow)
    }
    await Promise.all(Array.from({ length: FETCHES_AT_ONCE }, worker))
    if (this.store.mirrored) await this.store.retryUploads()
    if (!this.#closed && this.store.bytes > this.options.quotaBytes) await this.#evict(planEviction(this.store.held(), this.options.quotaBytes, this.#keep()).evict)
  }

  /** Fetches one listed blob, making room first; leaves it out when it would not fit and nothing live needs it. */
  async #pin(address: Address, keepNow: () => Keep): Promise<void> {
    const size = this.peer.swarm.value(address)?.size ?? 0
    if (size > DEFAULT_MAX_BLOB_BYTES) return
    if (this.#evicted.has(address) && !keepNow().openJobInputs.has(address)) return
    if (this.store.bytes + size > this.options.quotaBytes) {
      const keep = keepNow()
      // A blob that appears now is the newest of all: a result among them is within its window.
      const needed = keep.openJobInputs.has(address) || keep.results.has(address)
      const plan = planEviction(this.store.held(), this.options.quotaBytes, keep, size)
      if (!plan.fits && !needed) return
      await this.#evict(plan.evict)
    }
    this.#inFlight.add(address)
    try {
      // Fetched from a holder, checked against its address and size, stored, and announced (addHolder).
      // Read-only: the bytes are only looked at, so the store need not copy them for us.
      if ((await this.peer.blobs.get(address, { readOnly: true })) === undefined) throw new Error(`${address} is no longer listed`)
      this.#fetched++
      this.#evicted.delete(address)
      this.#retryAt.delete(address)
    } catch {
      this.#retryAt.set(address, Date.now() + (this.options.retryMs ?? 2_000))
    } finally {
      this.#inFlight.delete(address)
    }
  }

  async #evict(addresses: readonly Address[]): Promise<void> {
    for (const address of addresses) {
      await this.store.delete(address)
      // With a bucket behind the disk it can still serve the blob (read back on demand): its word stands.
      if (!this.store.mirrored) removeHolder(this.peer.swarm, address, this.peer.id)
      this.#evicted.add(address)
      this.#evictions++
    }
  }

  /** What eviction must spare right now. */
  #keep(): Keep {
    const results = new Set<Address>()
    for (const key of this.peer.swarm.cache.keys()) {
      const entry = this.peer.swarm.cached(key as TaskKey)
      if (entry?.kind === 'value') results.add(entry.result)
    }
    return { openJobInputs: this.jobs.inputs(), results, resultWindowMs: this.options.resultWindowMs ?? DEFAULT_RESULT_WINDOW_MS, now: Date.now() }
  }
}
