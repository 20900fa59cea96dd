/**
 * The few assertions the storage checks need. The checks run under Vitest in
 * Node and bare in browser pages, so they cannot use `expect`.
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

export function assertBytesEqual(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert(actual !== undefined, `${what}: expected ${expected.byteLength} bytes, got undefined`)
  assert(actual.byteLength === expected.byteLength, `${what}: expected ${expected.byteLength} bytes, got ${actual.byteLength}`)
  // A plain loop: an assert call per byte makes a 5 MB comparison take a second.
  for (let i = 0; i < expected.byteLength; i++) {
    if (actual[i] !== expected[i]) throw new Error(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`)
  }
}

export function assertUpdatesEqual(actual: readonly Uint8Array[], expected: readonly Uint8Array[], what: string): void {
  assert(actual.length === expected.length, `${what}: expected ${expected.length} updates, got ${actual.length}`)
  expected.forEach((bytes, i) => assertBytesEqual(actual[i], bytes, `${what}, update ${i}`))
}

export function assertSameMembers(actual: readonly string[], expected: readonly string[], what: string): void {
  const sorted = (list: readonly string[]): string => JSON.stringify([...list].sort())
  assert(sorted(actual) === sorted(expected), `${what}: expected ${sorted(expected)}, got ${sorted(actual)}`)
}

/** Resolves when `promise` rejects with an error named `name`; throws otherwise. */
export async function assertRejects(promise: Promise<unknown>, name: string, what: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    const actual = (error as { name?: unknown } | null)?.name
    assert(actual === name, `${what}: expected ${name}, got ${String(actual)}: ${String((error as Error | null)?.message)}`)
    return
  }
  throw new Error(`${what}: expected ${name}, but it resolved`)
}

/** `length` bytes of a pattern that `seed` sets, so different test values differ. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
  return bytes
}
