import { ContractCheckError } from './contract.ts'

/**
 * The few assertions the contract checks need. The checks run under Vitest in
 * Node and bare in browser pages, so they cannot use `expect`; each failure is
 * a `ContractCheckError` whose message says what was expected and what came.
 */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ContractCheckError(message)
}

/** A readable rendering that tells typed arrays apart by kind, for messages and comparisons. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? `${v.constructor.name}[${String(v)}]` : v))
}

/** Equal as plain data: same JSON, with typed arrays compared by kind and content. */
export function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [show(actual), show(expected)]
  assert(a === e, `${what}: expected ${e}, got ${a}`)
}

export function assertBytesEqual(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert(actual !== undefined, `${what}: expected ${expected.byteLength} bytes, got undefined`)
  assert(actual.byteLength === expected.byteLength, `${what}: expected ${expected.byteLength} bytes, got ${actual.byteLength}`)
  // A plain loop: an assert call per byte makes a 5 MB comparison take a second.
  for (let i = 0; i < expected.byteLength; i++) {
    if (actual[i] !== expected[i]) throw new ContractCheckError(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`)
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

function nameOf(error: unknown): string {
  return String((error as { name?: unknown } | null)?.name)
}

/** Resolves with the error when `promise` rejects with one named `name`; throws otherwise. */
export async function assertRejects(promise: Promise<unknown>, name: string, what: string): Promise<Error> {
  try {
    await promise
  } catch (error) {
    assert(nameOf(error) === name, `${what}: expected ${name}, got ${nameOf(error)}: ${String((error as Error | null)?.message)}`)
    return error as Error
  }
  throw new ContractCheckError(`${what}: expected ${name}, but it resolved`)
}

/** Returns the error when `action` throws one named `name`; throws otherwise. */
export function assertThrows(action: () => unknown, name: string, what: string): Error {
  try {
    action()
  } catch (error) {
    assert(nameOf(error) === name, `${what}: expected ${name}, got ${nameOf(error)}: ${String((error as Error | null)?.message)}`)
    return error as Error
  }
  throw new ContractCheckError(`${what}: expected ${name}, but it returned`)
}

/**
 * Calls `step` (which lets the adapter make progress: a flush, virtual time)
 * until `condition` holds, failing after `deadlineMs` of real time. Checks
 * wait for the outcome they expect rather than for a fixed delay, so a slow
 * machine makes them slower, not flaky.
 */
export async function waitUntil(condition: () => boolean, step: () => Promise<void>, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = performance.now() + deadlineMs
  while (!condition()) {
    if (performance.now() > deadline) throw new ContractCheckError(`${what}: still not so after ${deadlineMs} ms`)
    await step()
  }
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
