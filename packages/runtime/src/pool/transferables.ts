import { isPlainObject } from '@tessera/core'

/**
 * The ArrayBuffers under a value's typed arrays, DataViews and ArrayBuffers, each
 * once: what to move rather than copy across a worker boundary. Moving them
 * detaches them on the sending side. SharedArrayBuffers are left out (they are
 * shared already and cannot be moved), and so are empty buffers, which cost
 * nothing to copy and include every buffer that is already detached.
 *
 * Only the containers a Tessera value can have are walked: arrays, plain
 * objects, Maps and Sets.
 */
export function collectTransferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>()
  walk(value, found, new Set())
  return [...found]
}

function walk(value: unknown, found: Set<ArrayBuffer>, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return
  seen.add(value)
  if (ArrayBuffer.isView(value)) {
    addBuffer(value.buffer, found)
  } else if (value instanceof ArrayBuffer) {
    addBuffer(value, found)
  } else if (Array.isArray(value)) {
    for (const item of value) walk(item, found, seen)
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      walk(key, found, seen)
      walk(item, found, seen)
    }
  } else if (value instanceof Set) {
    for (const item of value) walk(item, found, seen)
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) walk(value[key], found, seen)
  }
}

function addBuffer(buffer: ArrayBufferLike, found: Set<ArrayBuffer>): void {
  // A view's buffer may be a SharedArrayBuffer; only a real ArrayBuffer can move.
  if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) found.add(buffer)
}
