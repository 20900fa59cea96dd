import { createHmac, randomBytes } from 'node:crypto'
import { addressKey } from './room-quota.ts'

/**
 * Tags for where connections come from, stamped by the server on every peer it
 * announces (`origin` in `subscribed` and `peer-joined`). Peers count admission
 * quotas by it, so a client never chooses it. Connections from one address
 * (an IPv6 /64 counts as one) get one tag; the tag is a keyed hash, so peers
 * learn which peers share an address without learning the address, and a new
 * key on every start means tags cannot be linked across restarts.
 */
export class OriginTags<C extends { readonly address?: string }> {
  readonly #key = randomBytes(32)
  readonly #byConnection = new WeakMap<C, string>()

  of(conn: C): string {
    let tag = this.#byConnection.get(conn)
    if (tag === undefined) {
      tag = createHmac('sha256', this.#key).update(addressKey(conn.address)).digest('base64url').slice(0, 16)
      this.#byConnection.set(conn, tag)
    }
    return tag
  }
}
