import * as Y from 'yjs'
import type { ReadonlyDocMap } from './schema.ts'

/**
 * The cache entries not yet compacted, as the swarm document holds them: in
 * shards, one per writer per epoch (`<epoch>/<Yjs clientID>`), each a map of
 * its own that only its writer creates. Two writers never create the same
 * map, so no write is lost to a concurrent creation; and a compaction deletes
 * a whole shard, whose contents Yjs then garbage-collects down to a few
 * bytes, where deleting each key of one shared map would leave each key's
 * name behind forever (about 70 B a key: 70 MB for 10⁶ results).
 *
 * The same layout holds the value index of results (`resultShards`): a
 * result's bytes leave the document with its entry, into the tree's leaf.
 */
export const shardKey = (epoch: number, client: number): string => `${epoch}/${client}`

/** The epoch a shard key names, or undefined if it is not a shard key. */
export function epochOfShard(key: string): number | undefined {
  const slash = key.indexOf('/')
  if (slash <= 0) return undefined
  const epoch = Number(key.slice(0, slash))
  return Number.isSafeInteger(epoch) && epoch >= 0 && /^\d+$/.test(key.slice(slash + 1)) ? epoch : undefined
}

/** What readers see of a set of shards: raw entries (unchecked), by key. */
export interface ShardedView {
  /** Entries across shards (a key held by two shards counts twice). */
  readonly size: number
  /** Every raw entry under `key`, one per shard that holds it, in shard-key order. */
  all(key: string): unknown[]
  has(key: string): boolean
  keys(): IterableIterator<string>
  /** Called with the keys that changed, in any shard. */
  observe(f: (event: { keysChanged: Set<string> }) => void): void
  unobserve(f: (event: { keysChanged: Set<string> }) => void): void
}

type Listener = (event: { keysChanged: Set<string> }) => void

/**
 * Records of a shard that hold several entries (`cache-packs.ts`): the index
 * lists each entry under its own key, and readers never see the record.
 */
export interface Packs {
  isPack(key: string): boolean
  /** The keys a pack names, unchecked (an index may list a key whose entry then fails its check). */
  keysOf(raw: unknown): readonly string[]
  /** The pack's entries, by key: those that passed its check. */
  entriesOf(raw: unknown): ReadonlyMap<string, unknown>
  /** The pack was checked already, so reading it costs nothing more. */
  opened?(raw: unknown): boolean
}

/** Where an entry is: under its key in a shard, or in a pack of a shard. */
type Source = { readonly shard: ReadonlyDocMap<unknown>; readonly pack?: string }

export class Shards implements ShardedView {
  #list: Array<[string, ReadonlyDocMap<unknown>]> | undefined
  /**
   * Which shards hold each key: readers ask for a key far more often than
   * writers write one, and a swarm of fifty donors has fifty shards.
   * Undefined until read, and whenever the set of shards changes.
   */
  #index: Map<string, Source[]> | undefined
  readonly #listeners = new Map<Listener, (events: Array<Y.YEvent<Y.AbstractType<unknown>>>) => void>()

  constructor(
    /** The root map of shards, by shard key. */
    readonly root: ReadonlyDocMap<unknown>,
    /** A map written before shards existed; read, never written again. */
    readonly legacy?: ReadonlyDocMap<unknown>,
    readonly packs?: Packs,
  ) {
    ;(root as unknown as Y.AbstractType<unknown>).observeDeep((events) => {
      for (const event of events) {
        if (event.target === (root as unknown)) this.invalidate()
        else if (event instanceof Y.YMapEvent) for (const key of event.keysChanged) this.#noteWriteIn(event.target as unknown as ReadonlyDocMap<unknown>, key as string)
      }
    })
    legacy?.observe((event) => {
      for (const key of event.keysChanged) this.#reindex(key)
    })
  }

  /** Forgets the list of shards and the index (a shard was made or deleted). */
  invalidate(): void {
    this.#list = undefined
    this.#index = undefined
    this.#order = undefined
  }

  /** Each listed shard's place in `shards()`, for keeping an index entry's sources in that order. */
  #order: Map<unknown, number> | undefined

  #placeOf(shard: ReadonlyDocMap<unknown>): number {
    this.#order ??= new Map(this.shards().map(([, listed], i) => [listed, i]))
    return this.#order.get(shard) ?? -1
  }

  /**
   * The one order of a key's sources, however its index entry was made:
   * shard by shard (`shards()`), an entry of its own before packs, packs by
   * name. Readers fold a key's entries in this order (equal ones keep the
   * first), so every peer answers alike.
   */
  readonly #bySource = (a: Source, b: Source): number => {
    const byShard = this.#placeOf(a.shard) - this.#placeOf(b.shard)
    if (byShard !== 0 || a.pack === b.pack) return byShard
    if (a.pack === undefined) return -1
    if (b.pack === undefined) return 1
    return a.pack < b.pack ? -1 : 1
  }

  /**
   * A key written or deleted in one known shard (an observed change): only
   * that shard's place in the index changes. Looking the key up in every
   * shard instead cost each peer a lookup per shard per entry any peer
   * wrote, and a swarm has a shard per writer (in the simulator, 50 peers
   * over 2,000 tasks: 0.9 s of 33). The sources keep their one order (`#bySource`).
   */
  #noteWriteIn(shard: ReadonlyDocMap<unknown>, key: string): void {
    const index = this.#index
    if (index === undefined) return
    if (this.#placeOf(shard) === -1) return this.noteWrite(key)
    if (this.packs?.isPack(key) === true) {
      // A pack gone (a peer may delete anything) costs a rebuild; a new one adds its keys from this shard.
      if (!shard.has(key)) return this.invalidate()
      return this.#addPack(index, shard, key)
    }
    const holds = shard.has(key)
    const holding = index.get(key)
    // Most keys are written once, by one writer.
    if (holding === undefined) {
      if (holds) index.set(key, [{ shard }])
      return
    }
    if (holding.length === 1 && holding[0]!.shard === shard && holding[0]!.pack === undefined) {
      if (!holds) index.delete(key)
      return
    }
    const sources = holding.filter((source) => source.pack !== undefined || source.shard !== shard)
    if (holds) sources.push({ shard })
    if (sources.length === 0) index.delete(key)
    else index.set(key, sources.sort(this.#bySource))
  }

  /**
   * A key written or deleted here, now: observers run only at the end of a
   * transaction, and a writer may read a key back in the one it wrote it in.
   */
  noteWrite(key: string): void {
    if (this.#index === undefined) return
    if (this.packs?.isPack(key) !== true) return this.#reindex(key)
    // Packs are written whole and never edited: a new one adds its keys; one gone (a peer may delete anything) costs a rebuild.
    // Two writers may name a pack alike, each in its own shard.
    const holders = this.shards().filter(([, shard]) => shard.has(key))
    if (holders.length === 0) return this.invalidate()
    for (const [, shard] of holders) this.#addPack(this.#index, shard, key)
  }

  /** The keys of the pack `key` in `shard`, each with that pack as a source of its entry. */
  #addPack(index: Map<string, Source[]>, shard: ReadonlyDocMap<unknown>, key: string): void {
    for (const inner of this.packs?.keysOf(shard.get(key)) ?? []) {
      const holding = index.get(inner)
      if (holding === undefined) index.set(inner, [{ shard, pack: key }])
      else if (!holding.some((source) => source.shard === shard && source.pack === key)) {
        holding.push({ shard, pack: key })
        holding.sort(this.#bySource)
      }
    }
  }

  #reindex(key: string): void {
    if (this.#index === undefined) return
    const packed = (this.#index.get(key) ?? []).filter((source) => source.pack !== undefined)
    const holding = [...this.shards().filter(([, shard]) => shard.has(key)).map(([, shard]) => ({ shard })), ...packed]
    if (holding.length === 0) this.#index.delete(key)
    else this.#index.set(key, holding.sort(this.#bySource))
  }

  #indexed(): Map<string, Source[]> {
    if (this.#index === undefined) {
      const index = new Map<string, Source[]>()
      const add = (key: string, source: Source): void => {
        const holding = index.get(key)
        if (holding === undefined) index.set(key, [source])
        else holding.push(source)
      }
      for (const [, shard] of this.shards()) {
        for (const [key, raw] of shard.entries()) {
          if (this.packs?.isPack(key) === true) for (const inner of this.packs.keysOf(raw)) add(inner, { shard, pack: key })
          else add(key, { shard })
        }
      }
      for (const sources of index.values()) if (sources.length > 1) sources.sort(this.#bySource)
      this.#index = index
    }
    return this.#index
  }

  #read(key: string, source: Source): unknown {
    return source.pack === undefined ? source.shard.get(key) : this.packs?.entriesOf(source.shard.get(source.pack)).get(key)
  }

  /** A shard's entries by key, packs opened (only the entries that pass their pack's check). */
  *entriesOf(shard: ReadonlyDocMap<unknown>): IterableIterator<[string, unknown]> {
    for (const [key, raw] of shard.entries()) {
      if (this.packs?.isPack(key) === true) yield* this.packs.entriesOf(raw)
      else yield [key, raw]
    }
  }

  /** Entries a shard holds, counting each entry of a pack. */
  sizeOf(shard: ReadonlyDocMap<unknown>): number {
    if (this.packs === undefined) return shard.size
    let size = 0
    for (const [key, raw] of shard.entries()) size += this.packs.isPack(key) ? this.packs.keysOf(raw).length : 1
    return size
  }

  /** The shards, legacy first, then by shard key. */
  shards(): ReadonlyArray<[string, ReadonlyDocMap<unknown>]> {
    if (this.#list === undefined) {
      const list: Array<[string, ReadonlyDocMap<unknown>]> = []
      for (const [key, value] of this.root) if (epochOfShard(key) !== undefined && isMap(value)) list.push([key, value])
      list.sort(([a], [b]) => (a < b ? -1 : 1))
      this.#list = this.legacy === undefined ? list : [['', this.legacy], ...list]
    }
    return this.#list
  }

  get size(): number {
    let size = 0
    for (const [, shard] of this.shards()) size += this.sizeOf(shard)
    return size
  }

  /**
   * The raw entries under `key`, read one at a time, entries of packs checked
   * already first: a caller that needs one stops early, and opens (checks) no
   * other writer's pack while one it holds answers.
   */
  *each(key: string): IterableIterator<unknown> {
    const sources = this.#indexed().get(key) ?? []
    const cheap = (source: Source): boolean => source.pack === undefined || this.packs?.opened?.(source.shard.get(source.pack)) === true
    for (const source of sources) if (cheap(source)) yield this.#read(key, source)
    for (const source of sources) if (!cheap(source)) yield this.#read(key, source)
  }

  all(key: string): unknown[] {
    const holding = this.#indexed().get(key)
    if (holding === undefined) return []
    if (holding.length === 1) return [this.#read(key, holding[0]!)]
    return holding.map((source) => this.#read(key, source))
  }

  has(key: string): boolean {
    return this.#indexed().has(key)
  }

  *keys(): IterableIterator<string> {
    const seen = new Set<string>()
    for (const [, shard] of this.shards()) {
      for (const [key, raw] of shard.entries()) {
        const inner = this.packs?.isPack(key) === true ? this.packs.keysOf(raw) : [key]
        for (const one of inner) if (!seen.has(one) && seen.add(one)) yield one
      }
    }
  }

  observe(f: Listener): void {
    const deep = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>): void => {
      const keysChanged = new Set<string>()
      for (const event of events) {
        if (!(event instanceof Y.YMapEvent)) continue
        if (event.target === (this.root as unknown)) {
          for (const key of event.keysChanged) {
            const shard = this.root.get(key as string)
            if (isMap(shard)) for (const inner of shard.keys()) this.#changed(inner, shard.get(inner), keysChanged)
          }
        } else {
          for (const [key, change] of event.changes.keys) this.#changed(key, change.action === 'delete' ? change.oldValue : event.target.get(key), keysChanged)
        }
      }
      if (keysChanged.size > 0) f({ keysChanged })
    }
    this.#listeners.set(f, deep)
    ;(this.root as unknown as Y.AbstractType<unknown>).observeDeep(deep)
    this.legacy?.observe(f)
  }

  #changed(key: string, raw: unknown, into: Set<string>): void {
    if (this.packs?.isPack(key) === true) for (const inner of this.packs.keysOf(raw)) into.add(inner)
    else into.add(key)
  }

  unobserve(f: Listener): void {
    const deep = this.#listeners.get(f)
    if (deep !== undefined) (this.root as unknown as Y.AbstractType<unknown>).unobserveDeep(deep)
    this.#listeners.delete(f)
    this.legacy?.unobserve(f)
  }
}

/** A nested Yjs map (a shard); anything else a peer wrote there is ignored. */
function isMap(value: unknown): value is ReadonlyDocMap<unknown> {
  return value instanceof Y.Map
}
