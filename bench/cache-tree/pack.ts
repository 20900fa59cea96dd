import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import type { Address, NodeStore } from '@tessera/core'

/**
 * Tree nodes of the bench's swarm in one file with an index, standing for the
 * peers that hold them: the builder appends, the joiner reads a node when it
 * asks for one (as a fetch from a peer) and keeps it in its own store.
 */
export class NodePackWriter implements NodeStore {
  readonly index = new Map<Address, [number, number]>()
  readonly #fd: number
  #offset = 0
  readonly #recent = new Map<Address, Uint8Array>()

  constructor(file: string) {
    this.#fd = openSync(file, 'w+')
  }

  async put(address: Address, bytes: Uint8Array): Promise<void> {
    if (this.index.has(address)) return
    writeSync(this.#fd, bytes, 0, bytes.byteLength, this.#offset)
    this.index.set(address, [this.#offset, bytes.byteLength])
    this.#offset += bytes.byteLength
    // The compactions read back what they just wrote: keep a window of recent nodes in memory.
    this.#recent.set(address, bytes)
    if (this.#recent.size > 256) this.#recent.delete(this.#recent.keys().next().value as Address)
  }

  async get(address: Address): Promise<Uint8Array | undefined> {
    const recent = this.#recent.get(address)
    if (recent !== undefined) return recent
    const at = this.index.get(address)
    if (at === undefined) return undefined
    const bytes = new Uint8Array(at[1])
    readSync(this.#fd, bytes, 0, at[1], at[0])
    return bytes
  }

  get bytes(): number {
    return this.#offset
  }

  close(): void {
    closeSync(this.#fd)
  }
}

/** The other peers' nodes as a joiner sees them: read on request, counted. */
export class NodePackReader {
  fetches = 0
  readonly #fd: number

  constructor(
    file: string,
    private readonly index: ReadonlyMap<string, readonly [number, number]>,
  ) {
    this.#fd = openSync(file, 'r')
  }

  fetch(address: Address): Uint8Array | undefined {
    const at = this.index.get(address)
    if (at === undefined) return undefined
    const bytes = new Uint8Array(at[1])
    readSync(this.#fd, bytes, 0, at[1], at[0])
    this.fetches++
    return bytes
  }

  close(): void {
    closeSync(this.#fd)
  }
}
