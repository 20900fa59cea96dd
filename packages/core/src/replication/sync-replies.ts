import * as Y from 'yjs'
import type { Clock } from '../clock.ts'
import type { PeerId } from '../ids.ts'
import type { ReplicationLimits } from './limits.ts'
import type { OutgoingMessage } from './protocol.ts'
import { TokenBucket } from './token-bucket.ts'
import { EMPTY_UPDATE, UpdatePieces } from './update-pieces.ts'

export interface SyncRepliesHost {
  readonly clock: Clock
  readonly limits: ReplicationLimits
  doc(guid: string): Y.Doc | undefined
  /** False when the message could not be queued (link gone or full): the reply stops. */
  send(peer: PeerId, message: OutgoingMessage): boolean
}

/** Below this many missing clocks (items, characters), a reply is encoded at once. */
const FAST_PATH_CLOCKS = 1_000

function missingClocks(doc: Y.Doc, since: ReadonlyMap<number, number>): number {
  let missing = 0
  for (const client of doc.store.clients.keys()) missing += Math.max(0, Y.getState(doc.store, client) - (since.get(client) ?? 0))
  return missing
}

interface Job {
  cancelled: boolean
}

/**
 * Answers sync and repair requests with the asker's missing changes, in pieces
 * of bounded size, yielding to the event loop between slices of work: a whole
 * 50 MB document goes out without holding the loop for more than `sliceMs`.
 *
 * Full state is expensive to encode, so each peer gets one reply per document at
 * a time, replies of more than one piece at most every `fullSyncIntervalMs`, and
 * only `maxConcurrentReplies` are encoded at once. A request refused here is
 * simply not answered: the asker retries with someone else, as after a loss.
 */
export class SyncReplies {
  readonly #jobs = new Map<string, Job>()
  readonly #requests = new Map<PeerId, TokenBucket>()
  /** When each (peer, document) last got a reply of more than one piece. */
  readonly #largeAt = new Map<string, number>()

  constructor(private readonly host: SyncRepliesHost) {}

  serve(peer: PeerId, guid: string, since: ReadonlyMap<number, number>): void {
    const key = `${peer}\u0000${guid}`
    const doc = this.host.doc(guid)
    if (doc === undefined || this.#jobs.has(key) || this.#jobs.size >= this.host.limits.maxConcurrentReplies) return
    const { clock, limits } = this.host
    // Even a small reply costs a walk over the document's deletions: requests are rationed too.
    let bucket = this.#requests.get(peer)
    if (bucket === undefined) this.#requests.set(peer, (bucket = new TokenBucket(limits.syncRequestsPerSecond, limits.syncRequestsPerSecond * 5, clock.now())))
    if (!bucket.take(1, clock.now())) return
    // The usual case, routine anti-entropy between peers nearly in step: Yjs's own
    // encoder, in one message, when that is small.
    if (missingClocks(doc, since) <= FAST_PATH_CLOCKS) {
      const update = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Map(since)))
      if (update.byteLength <= limits.maxUpdateBytes) {
        this.host.send(peer, { type: 'sync-reply', doc: guid, update })
        return
      }
    }
    const lastLarge = this.#largeAt.get(key)
    // Within the interval, a peer still gets whatever fits one piece (its routine
    // anti-entropy), but not the whole document again.
    const onePieceOnly = lastLarge !== undefined && clock.now() - lastLarge < limits.fullSyncIntervalMs
    const pieces = new UpdatePieces(doc, since, limits.maxUpdateBytes)
    const job: Job = { cancelled: false }
    this.#jobs.set(key, job)
    let held: readonly Uint8Array[] | undefined
    let sent = 0
    const stop = (): void => {
      if (this.#jobs.get(key) === job) this.#jobs.delete(key)
    }
    const step = (): void => {
      if (job.cancelled || this.host.doc(guid) !== doc) return stop()
      const started = clock.now()
      do {
        const piece = pieces.next()
        if (piece === undefined) {
          this.host.send(peer, { type: 'sync-reply', doc: guid, update: held ?? EMPTY_UPDATE })
          if (sent > 0) this.#largeAt.set(key, clock.now())
          return stop()
        }
        if (piece === null) continue
        if (held !== undefined) {
          if (onePieceOnly || !this.host.send(peer, { type: 'sync-reply', doc: guid, update: held, more: true })) return stop()
          sent++
        }
        held = piece
      } while (clock.now() - started < limits.sliceMs)
      clock.setTimeout(step, 0)
    }
    step()
  }

  /** A peer left: its replies stop (but reconnecting does not earn it another full state sooner). */
  forget(peer: PeerId): void {
    const prefix = `${peer}\u0000`
    for (const [key, job] of this.#jobs) if (key.startsWith(prefix)) job.cancelled = true
    const now = this.host.clock.now()
    for (const [key, at] of this.#largeAt) if (now - at >= this.host.limits.fullSyncIntervalMs) this.#largeAt.delete(key)
  }

  close(): void {
    for (const job of this.#jobs.values()) job.cancelled = true
    this.#jobs.clear()
  }
}
