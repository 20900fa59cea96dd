/**
 * Results are Tessera values (typed arrays, maps, bigints…), not only JSON:
 * each is sent as the nearest JSON, so a client in any language can read it.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString()
    if (item instanceof Map) return Object.fromEntries([...item.entries()].map(([k, v]) => [String(k), v]))
    if (item instanceof Set) return [...item]
    if (ArrayBuffer.isView(item) && !(item instanceof DataView)) return Array.from(item as unknown as ArrayLike<number | bigint>, (n) => (typeof n === 'bigint' ? n.toString() : n))
    if (item instanceof ArrayBuffer) return Array.from(new Uint8Array(item))
    if (typeof item === 'number' && !Number.isFinite(item)) return String(item)
    return item
  }) ?? 'null'
}
