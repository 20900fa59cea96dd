import { networkPrefix } from './network-prefix.ts'

/**
 * Who created which room, so that a few connections cannot fill the server's
 * room table: each connection, and each address, may have only so many rooms
 * of its own creation alive at once. Joining a room that exists costs nothing.
 */
export class RoomCreationQuota<C> {
  readonly #creators = new Map<string, { readonly conn: C; readonly address: string }>()
  readonly #byConn = new Map<C, number>()
  readonly #byAddress = new Map<string, number>()

  constructor(
    private readonly perConnection: number,
    private readonly perAddress: number,
    /** Rooms open on other instances of a cluster that this address created there. */
    private readonly elsewhere: (address: string) => number = () => 0,
  ) {}

  /** Why `conn` may not create a room now, or undefined when it may. */
  refusal(conn: C, address: string): string | undefined {
    if ((this.#byConn.get(conn) ?? 0) >= this.perConnection) {
      return `a connection may create at most ${this.perConnection} rooms; join an existing one or leave one of yours`
    }
    if ((this.#byAddress.get(address) ?? 0) + this.elsewhere(address) >= this.perAddress) {
      return `connections from your address have created ${this.perAddress} rooms, the most allowed at once; join an existing one`
    }
    return undefined
  }

  created(topic: string, conn: C, address: string): void {
    this.#creators.set(topic, { conn, address })
    this.#byConn.set(conn, (this.#byConn.get(conn) ?? 0) + 1)
    this.#byAddress.set(address, (this.#byAddress.get(address) ?? 0) + 1)
  }

  /** The room is gone (its last member left): it no longer counts against its creator. */
  removed(topic: string): void {
    const creator = this.#creators.get(topic)
    if (creator === undefined) return
    this.#creators.delete(topic)
    decrement(this.#byConn, creator.conn)
    decrement(this.#byAddress, creator.address)
  }

  /** Rooms alive that connections from this address created. */
  countFor(address: string): number {
    return this.#byAddress.get(address) ?? 0
  }
}

function decrement<K>(counts: Map<K, number>, key: K): void {
  const left = (counts.get(key) ?? 0) - 1
  if (left > 0) counts.set(key, left)
  else counts.delete(key)
}

/** The unit room creation is counted by: an IPv4 address, or an IPv6 /64. */
export function addressKey(address: string | undefined): string {
  return networkPrefix(address, 64)
}
