import * as prng from 'lib0/prng'
import type { PeerId } from '../../ids.ts'
import { HubTransport, type TransportHub } from '../../adapters/hub-transport.ts'
import type { SimClock } from './sim-clock.ts'

export interface NetworkConditions {
  readonly minDelayMs: number
  readonly maxDelayMs: number
  /** Chance that any one message is lost. */
  readonly dropRate: number
  /**
   * Chance that a message overtakes those sent before it on the same link.
   * Otherwise links are FIFO, as ordered data channels are.
   */
  readonly reorderRate?: number
}

export const PERFECT_NETWORK: NetworkConditions = { minDelayMs: 0, maxDelayMs: 0, dropRate: 0 }

/**
 * A seeded network in the manner of yjs's TestConnector: messages are delayed by
 * a random amount (and so reordered), lost at random, links go down and come
 * back, and peers can die silently.
 */
export class SimulatedNetwork implements TransportHub {
  readonly #members = new Map<PeerId, HubTransport>()
  readonly #downLinks = new Set<string>()
  /** Per directed link: when its last message arrives, to keep the link FIFO. */
  readonly #lastArrival = new Map<string, number>()

  constructor(
    readonly clock: SimClock,
    readonly random: prng.PRNG,
    public conditions: NetworkConditions = PERFECT_NETWORK,
  ) {}

  join(self: PeerId): SimTransport {
    const transport = new HubTransport(self, this)
    this.#members.set(self, transport)
    for (const other of this.#members.values()) {
      if (other === transport || !this.linked(self, other.self)) continue
      other.emitPeer({ peer: self, connected: true })
      transport.emitPeer({ peer: other.self, connected: true })
    }
    return transport
  }

  /** The peer vanishes without a word: nobody is told, and what was in flight to it is lost. */
  kill(peer: PeerId): void {
    this.#members.get(peer)?.markDead()
    this.#members.delete(peer)
  }

  /** Takes a link down; both ends are told, as a transport would after missed heartbeats. */
  disconnect(a: PeerId, b: PeerId): void {
    if (this.#downLinks.has(linkId(a, b))) return
    this.#downLinks.add(linkId(a, b))
    this.#members.get(a)?.emitPeer({ peer: b, connected: false })
    this.#members.get(b)?.emitPeer({ peer: a, connected: false })
  }

  reconnect(a: PeerId, b: PeerId): void {
    if (!this.#downLinks.delete(linkId(a, b))) return
    this.#members.get(a)?.emitPeer({ peer: b, connected: true })
    this.#members.get(b)?.emitPeer({ peer: a, connected: true })
  }

  linked(a: PeerId, b: PeerId): boolean {
    return a !== b && this.#members.has(a) && this.#members.has(b) && !this.#downLinks.has(linkId(a, b))
  }

  members(): PeerId[] {
    return [...this.#members.keys()]
  }

  reachableFrom(self: PeerId): PeerId[] {
    return this.members().filter((peer) => this.linked(self, peer))
  }

  /** A transport closing on purpose: its links go down, and both ends are told. */
  leave(self: PeerId): void {
    for (const peer of this.reachableFrom(self)) this.disconnect(self, peer)
    this.#members.delete(self)
  }

  /** `message` is already the network's own copy. */
  deliver(from: PeerId, to: PeerId, message: Uint8Array): boolean {
    if (!this.linked(from, to)) return false
    const { minDelayMs, maxDelayMs, dropRate } = this.conditions
    if (dropRate > 0 && prng.real53(this.random) < dropRate) return true
    let arrival = this.clock.now() + (maxDelayMs > minDelayMs ? prng.int32(this.random, minDelayMs, maxDelayMs) : minDelayMs)
    const link = `${from}>${to}`
    const reorder = (this.conditions.reorderRate ?? 0) > 0 && prng.real53(this.random) < (this.conditions.reorderRate ?? 0)
    if (!reorder) arrival = Math.max(arrival, this.#lastArrival.get(link) ?? 0)
    this.#lastArrival.set(link, Math.max(arrival, this.#lastArrival.get(link) ?? 0))
    this.clock.setTimeout(() => {
      if (this.linked(from, to)) this.#members.get(to)?.emitMessage(from, message)
    }, arrival - this.clock.now())
    return true
  }
}

function linkId(a: PeerId, b: PeerId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}

export type SimTransport = HubTransport
