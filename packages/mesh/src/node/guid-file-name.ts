/**
 * A document guid as one safe file name: lower-case letters, digits, `-` and
 * `_` stay, every other UTF-8 byte becomes `%XX`. Upper-case letters are
 * escaped too, so `A` and `a` cannot collide on a case-insensitive file system,
 * and `.` is, so no guid can name `.` or `..`. `decodeURIComponent` reverses it.
 */
const KEEP = /^[a-z0-9_-]$/
const MAX_NAME_BYTES = 255
const encoder = new TextEncoder()

export function fileNameOfGuid(guid: string): string {
  if (guid.length === 0) throw new RangeError('a document guid cannot be empty')
  let name = ''
  for (const byte of encoder.encode(guid)) {
    const char = String.fromCharCode(byte)
    name += KEEP.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  if (name.length > MAX_NAME_BYTES) {
    throw new RangeError(`document guid ${JSON.stringify(guid.slice(0, 40))}… is too long to name a file (${name.length} > ${MAX_NAME_BYTES} bytes escaped)`)
  }
  return name
}

/** The guid a file name stands for, or `undefined` for names this scheme did not make. */
export function guidOfFileName(name: string): string | undefined {
  if (name.length === 0 || !/^(?:[a-z0-9_-]|%[0-9A-F]{2})+$/.test(name)) return undefined
  try {
    return decodeURIComponent(name)
  } catch {
    return undefined
  }
}
