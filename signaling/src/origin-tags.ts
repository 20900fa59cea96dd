import { createHmac, randomBytes } from 'node:crypto'
import { networkPrefix } from './network-prefix.ts'

/**
 * Tags for where connections come from, stamped by the server on every peer it
 * announces (`origin` in `subscribed` and `peer-joined`). Peers count
 * admission quotas by it, so a client never chooses it. Connections from one
 * address (an IPv6 /64 counts as one) get one tag; the tag is a keyed hash, so
 * peers learn which peers share an address without learning the address. The
 * key is new on every start unless derived from the server's secret
 * (`server-keys.ts`), so that instances sharing a secret agree on tags; the
 * same class, with another key and prefix, names public-room subjects.
 */
export class OriginTags<C extends { readonly address?: string }> {
  readonly #key: Uint8Array
  readonly #ipv6Bits: number
  readonly #byConnection = new WeakMap<C, string>()

  constructor(key: Uint8Array = randomBytes(32), ipv6Bits = 64) {
    this.#key = key
    this.#ipv6Bits = ipv6Bits
  }

  of(conn: C): string {
    let tag = this.#byConnection.get(conn)
    if (tag === undefined) {
      tag = createHmac('sha256', this.#key).update(networkPrefix(conn.address, this.#ipv6Bits)).digest('base64url').slice(0, 16)
      this.#byConnection.set(conn, tag)
    }
    return tag
  }
}
