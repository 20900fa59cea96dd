import type * as Y from 'yjs'

export const LARGE_DOC_BYTES = 50 * 1000 * 1000

/**
 * Fills a document past 50 MB the way a swarm grows one: many binary values of
 * a megabyte and thousands of small entries. Deterministic, so a receiver can
 * check content as well as size.
 */
export function fillLargeDoc(doc: Y.Doc): void {
  const blobs = doc.getMap<Uint8Array>('blobs')
  const small = doc.getMap<string>('small')
  doc.transact(() => {
    for (let i = 0; i < 48; i++) blobs.set(`b${i}`, new Uint8Array(1024 * 1024).fill(i))
  })
  for (let batch = 0; batch < 10; batch++) {
    doc.transact(() => {
      for (let i = 0; i < 2_000; i++) small.set(`s${batch}-${i}`, `entry ${batch}-${i} `.padEnd(100, '.'))
    })
  }
}

/** A cheap fingerprint of what `fillLargeDoc` wrote, to compare across peers and pages. */
export function largeDocFingerprint(doc: Y.Doc): { blobs: number; small: number; blobBytes: number; checksum: number } {
  const blobs = doc.getMap<Uint8Array>('blobs')
  let blobBytes = 0
  let checksum = 0
  for (const [key, bytes] of blobs) {
    blobBytes += bytes.byteLength
    checksum = (checksum + Number(key.slice(1)) * (bytes[bytes.length - 1] ?? 0) + (bytes[0] ?? 0)) >>> 0
  }
  return { blobs: blobs.size, small: doc.getMap('small').size, blobBytes, checksum }
}
