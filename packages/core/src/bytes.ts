/**
 * A true copy in a buffer of its own. `slice()` is not enough: on a Node Buffer
 * (which cborg and others hand out) it returns a view into shared memory, and
 * that view's `.buffer` is a pool of unrelated data.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy
}
