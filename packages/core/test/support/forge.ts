import type { ReadonlyDocMap, SwarmDoc, TaskKey } from '@tessera/core'

/**
 * What a hostile peer does: writes a shared map directly, bypassing
 * `swarm/writes.ts` and its rules. Only tests of attacks may do this.
 */
export function writeRaw(map: ReadonlyDocMap<unknown>, key: string, value: unknown): void {
  ;(map as unknown as { set(key: string, value: unknown): void }).set(key, value)
}

/** Overwrites the cache entries of `keys` with whatever `forge` makes (in the map every reader still reads, as any peer may). */
export function forgeCache(swarm: SwarmDoc, keys: readonly TaskKey[], forge: (key: TaskKey, i: number) => unknown): void {
  swarm.transact(() =>
    keys.forEach((key, i) => {
      // Any peer may write any shard: the forger writes over the key wherever a writer put it.
      const holding = swarm.cacheShards.shards().filter(([, shard]) => shard.has(key))
      for (const [, shard] of holding.length === 0 ? [['', swarm.cacheShards.legacy!] as const] : holding) writeRaw(shard, key, forge(key, i))
    }),
  )
}
