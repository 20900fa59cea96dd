import type { Address } from '../ids.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import { isLeaf } from './node.ts'
import type { CacheTree } from './tree.ts'

/**
 * Holds every node of each cache tree root the swarm document lists,
 * fetching the nodes this peer lacks (fetched nodes are checked against their
 * address and kept, `nodeStoreOf`). Usually one peer compacts an epoch, so
 * the newest nodes lived on it alone, and when it left for good the entries
 * they held became cache misses. Every peer that compacts also keeps.
 *
 * A subtree walked in full is remembered (its root's address), so each look
 * fetches only what a new root adds: a compaction rewrites the paths to the
 * leaves it changed, and the rest of the tree is shared with the last root.
 * Of the roots listed when the keeper first looks, it fetches the branches
 * only: their leaves were kept by the peers online when they were made, and
 * a host joining a swarm of a million results does not download them all.
 */
export class TreeKeeper {
  /** Nodes whose whole subtree this peer holds (as far as this process has walked). */
  readonly #complete = new Set<Address>()
  #walking: Promise<number> | undefined
  /** The roots listed at the first look, whose leaves are left to others. */
  #found: ReadonlySet<Address> | undefined

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly tree: CacheTree,
    /**
     * Subtrees remembered at most: superseded roots' nodes would otherwise be
     * remembered for the life of the process. Past it, once every listed
     * root is held whole, the keeper forgets them all and takes those roots
     * as found (walking their branches again reads them locally).
     */
    private readonly remember = 500_000,
  ) {}

  /**
   * Walks the roots listed now, fetching what is missing; resolves with how
   * many roots it could not complete (nobody served a node, or a node was
   * forged: that root is tried again on the next call). One walk at a time.
   */
  keepListed(): Promise<number> {
    this.#walking ??= this.#walkAll().finally(() => (this.#walking = undefined))
    return this.#walking
  }

  /** Whether the whole tree under `root` is held here. */
  holds(root: Address): boolean {
    return this.#complete.has(root)
  }

  async #walkAll(): Promise<number> {
    let incomplete = 0
    const roots = this.swarm.cacheTreeRoots().map((r) => r.root)
    this.#found ??= new Set(roots)
    for (const root of roots) {
      try {
        await this.#keep(root, !this.#found.has(root))
      } catch {
        incomplete++
      }
    }
    // Forgotten only when every listed root is held whole: those are then found roots whose leaves are here.
    if (incomplete === 0 && this.#complete.size > this.remember) {
      this.#complete.clear()
      this.#found = new Set(roots)
    }
    return incomplete
  }

  async #keep(address: Address, leaves: boolean): Promise<void> {
    if (this.#complete.has(address)) return
    const node = await this.tree.node(address)
    if (!isLeaf(node)) {
      for (const child of node.children) {
        if (node.level === 1 && !leaves) this.#complete.add(child.address)
        else await this.#keep(child.address, leaves)
      }
    }
    this.#complete.add(address)
  }
}
