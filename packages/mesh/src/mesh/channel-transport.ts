import { TransportClosedError, TransportListeners, type PeerChange, type PeerId, type Transport, type Unsubscribe } from '@tessera/core'
import type { Channel } from '../framing/frames.ts'

/** What a channel needs from the mesh that carries it. */
export interface ChannelHost {
  readonly self: PeerId
  readonly closed: boolean
  openPeers(): PeerId[]
  sendOn(channel: Channel, to: PeerId, payload: Uint8Array | readonly Uint8Array[]): boolean
  close(): Promise<void>
}

/**
 * One logical channel of the mesh, seen as a core `Transport`: the document
 * replicator, the blob exchange and presence each get one, and all share the
 * same links.
 */
export class ChannelTransport implements Transport {
  readonly #listeners = new TransportListeners()

  constructor(
    private readonly host: ChannelHost,
    readonly channel: Channel,
  ) {}

  get self(): PeerId {
    return this.host.self
  }

  peers(): readonly PeerId[] {
    return this.host.closed ? [] : this.host.openPeers()
  }

  send(to: PeerId, message: Uint8Array): boolean {
    this.#assertOpen()
    return this.host.sendOn(this.channel, to, message)
  }

  /** `send` of a message made of `parts`, which the caller hands over: framed where they are, never copied. */
  sendOwned(to: PeerId, parts: readonly Uint8Array[]): boolean {
    this.#assertOpen()
    return this.host.sendOn(this.channel, to, parts)
  }

  broadcast(message: Uint8Array): void {
    this.#assertOpen()
    for (const peer of this.host.openPeers()) this.host.sendOn(this.channel, peer, message)
  }

  onMessage(handler: (from: PeerId, message: Uint8Array) => void): Unsubscribe {
    return this.#listeners.onMessage(handler)
  }

  onPeerChange(handler: (change: PeerChange) => void): Unsubscribe {
    return this.#listeners.onPeerChange(handler)
  }

  /** Closes the whole mesh: channels share their links. */
  close(): Promise<void> {
    return this.host.close()
  }

  /** @internal */
  emitMessage(from: PeerId, message: Uint8Array): void {
    this.#listeners.emitMessage(from, message)
  }

  /** @internal */
  emitPeer(change: PeerChange): void {
    this.#listeners.emitPeer(change)
  }

  #assertOpen(): void {
    if (this.host.closed) throw new TransportClosedError(`mesh of ${this.host.self} is closed`)
  }
}
