import {
  BlobNotFoundError,
  handOver,
  IntegrityError,
  SizeLimitError,
  verifyBytesAsync,
  type Address,
  type PeerId,
  type Transport,
  type Unsubscribe,
} from '@tessera/core'
import { decodeBlobMessage, encodeBlobMessage, type BlobMessage } from './blob-messages.ts'

export interface BlobExchangeOptions {
  readonly transport: Transport
  /** The local bytes of a blob, to serve to peers; undefined when not held here. */
  readonly serve: (address: Address) => Promise<Uint8Array | undefined>
  readonly maxBlobBytes: number
  /** Waiting for one peer's reply: this, plus a second per MB expected. */
  readonly requestTimeoutMs?: number
  /** A peer sent bytes that do not match their address. */
  readonly onBadPeer?: (peer: PeerId, error: Error) => void
  /** We sent a peer a blob it asked for (a pinning host counts what it serves). */
  readonly onServed?: (peer: PeerId, address: Address, bytes: number) => void
}

export interface FetchOptions {
  /** Size from the value index: a reply of any other size is refused unread. */
  readonly expectedSize?: number
}

/**
 * Fetches blobs from peers and serves ours. Every reply is checked against its
 * address before anyone sees it; a peer that sends wrong bytes is never asked
 * again in this session, and the fetch moves on to the next holder.
 */
export class BlobExchange {
  readonly #waiting = new Map<number, { peer: PeerId; settle: (message: BlobMessage | undefined) => void }>()
  readonly #bad = new Set<PeerId>()
  readonly #off: Unsubscribe[]
  #nextId = 1

  constructor(private readonly options: BlobExchangeOptions) {
    this.#off = [
      options.transport.onMessage((from, bytes) => void this.#receive(from, bytes)),
      options.transport.onPeerChange(({ peer, connected }) => {
        if (connected) return
        for (const waiter of [...this.#waiting.values()]) if (waiter.peer === peer) waiter.settle(undefined)
      }),
    ]
  }

  /** Peers caught sending corrupt bytes. */
  get badPeers(): ReadonlySet<PeerId> {
    return this.#bad
  }

  /** Asks `candidates` in turn; resolves with verified bytes or throws `BlobNotFoundError`. */
  async fetch(address: Address, candidates: readonly PeerId[], options: FetchOptions = {}): Promise<Uint8Array> {
    const { expectedSize } = options
    if (expectedSize !== undefined && expectedSize > this.options.maxBlobBytes) {
      throw new SizeLimitError(`blob ${address} is ${expectedSize} bytes, over the ${this.options.maxBlobBytes}-byte blob cap`)
    }
    const tried: string[] = []
    for (const peer of candidates) {
      if (this.#bad.has(peer) || peer === this.options.transport.self) continue
      const reply = await this.#request(peer, address, expectedSize)
      if (reply?.type !== 'blob') {
        tried.push(`${peer}: ${reply === undefined ? 'no answer' : 'does not hold it'}`)
        continue
      }
      try {
        if (expectedSize !== undefined && reply.bytes.byteLength !== expectedSize) {
          throw new IntegrityError(`peer ${peer} sent ${reply.bytes.byteLength} bytes for ${address}, which has ${expectedSize}`)
        }
        if (reply.bytes.byteLength > this.options.maxBlobBytes) {
          throw new SizeLimitError(`peer ${peer} sent a ${reply.bytes.byteLength}-byte blob, over the ${this.options.maxBlobBytes}-byte cap`)
        }
        await verifyBytesAsync(address, reply.bytes)
        return reply.bytes
      } catch (error) {
        this.#bad.add(peer)
        this.options.onBadPeer?.(peer, error as Error)
        tried.push(`${peer}: ${(error as Error).message}`)
      }
    }
    throw new BlobNotFoundError(
      `no peer could provide blob ${address}` + (tried.length > 0 ? ` (${tried.join('; ')})` : ' (no holder is connected)'),
    )
  }

  close(): void {
    for (const off of this.#off) off()
    for (const waiter of this.#waiting.values()) waiter.settle(undefined)
    this.#waiting.clear()
  }

  #request(peer: PeerId, address: Address, expectedSize: number | undefined): Promise<BlobMessage | undefined> {
    const id = this.#nextId++
    return new Promise((resolve) => {
      const timeoutMs = (this.options.requestTimeoutMs ?? 10_000) + ((expectedSize ?? 0) / 1e6) * 1_000
      const timer = setTimeout(() => settle(undefined), timeoutMs)
      const settle = (message: BlobMessage | undefined): void => {
        clearTimeout(timer)
        this.#waiting.delete(id)
        resolve(message)
      }
      this.#waiting.set(id, { peer, settle })
      if (!this.#send(peer, { type: 'get', id, address })) settle(undefined)
    })
  }

  /** A reply's bytes are handed to the transport, not copied: `serve` gives us bytes of our own. */
  #send(peer: PeerId, message: BlobMessage): boolean {
    return handOver(this.options.transport, peer, encodeBlobMessage(message))
  }

  async #receive(from: PeerId, bytes: Uint8Array): Promise<void> {
    let message: BlobMessage
    try {
      message = decodeBlobMessage(bytes)
    } catch {
      return
    }
    if (message.type !== 'get') {
      const waiter = this.#waiting.get(message.id)
      if (waiter?.peer === from) waiter.settle(message)
      return
    }
    let held: Uint8Array | undefined
    try {
      held = await this.options.serve(message.address as Address)
    } catch {
      held = undefined
    }
    const reply: BlobMessage =
      held === undefined || held.byteLength > this.options.maxBlobBytes ? { type: 'missing', id: message.id } : { type: 'blob', id: message.id, bytes: held }
    try {
      if (this.#send(from, reply) && reply.type === 'blob') {
        this.options.onServed?.(from, message.address as Address, reply.bytes.byteLength)
      }
    } catch {
      // The transport closed while we looked the blob up.
    }
  }
}
