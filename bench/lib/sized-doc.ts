import type * as Y from 'yjs'

/** The mesh e2e tests' link limits: fast failure detection, the mesh's own frame and buffer sizes. */
export const BENCH_LINK_LIMITS = { heartbeatMs: 300, deadAfterMs: 2_000, connectTimeoutMs: 10_000 }

export interface DocShape {
  /** 1 MiB binary values. */
  readonly blobs: number
  /** ~100-byte strings. */
  readonly small: number
}

/**
 * The shape of `fillLargeDoc` (@tessera/mesh/testing: 48 MiB of 1 MiB binary
 * values plus 20,000 small entries) scaled to about `megabytes` MB.
 */
export function shapeFor(megabytes: number): DocShape {
  return { blobs: Math.max(1, Math.floor(megabytes * 0.92)), small: Math.round(megabytes * 400) }
}

export function fillSizedDoc(doc: Y.Doc, shape: DocShape): void {
  const blobs = doc.getMap<Uint8Array>('bench-blobs')
  const small = doc.getMap<string>('bench-small')
  doc.transact(() => {
    for (let i = 0; i < shape.blobs; i++) blobs.set(`b${i}`, new Uint8Array(1024 * 1024).fill(i & 255))
  })
  for (let start = 0; start < shape.small; start += 2_000) {
    doc.transact(() => {
      for (let i = start; i < Math.min(shape.small, start + 2_000); i++) small.set(`s${i}`, `entry ${i} `.padEnd(100, '.'))
    })
  }
}

export function hasShape(doc: Y.Doc, shape: DocShape): boolean {
  return doc.getMap('bench-small').size === shape.small && doc.getMap('bench-blobs').size === shape.blobs
}
