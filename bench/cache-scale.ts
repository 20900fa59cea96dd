/**
 * Scale figures of the compacted cache (issue 15 items 3–4; docs/cache-tree.md):
 * a swarm with 10⁶ cached results, each with a real signed proof. One process
 * builds it (`procs/cache-build.ts`: the tree in bulk, then the last results
 * through the real write path and real compactions); another joins it
 * (`procs/cache-join.ts`): applies the swarm document, then looks results up,
 * fetching tree nodes from the others and keeping them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ChildScript } from './lib/child.ts'
import type { BenchFigure, BenchOptions, BenchSection } from './lib/section.ts'

interface Built {
  readonly count: number
  readonly tail: number
  readonly threshold: number
  readonly bulkMs: number
  readonly tailMs: number
  readonly docBytes: number
  readonly afterCompaction: readonly number[]
  readonly compactions: number
  readonly uncompacted: number
  readonly nodeBytes: number
  readonly nodes: number
}

interface Joined {
  readonly docBytes: number
  readonly joinMs: number
  readonly heapJoin: number
  readonly heapAfterLookups: number
  readonly lookups: number
  readonly hits: number
  readonly hitMs: number
  readonly hitFetches: number
  readonly misses: number
  readonly missMs: number
  readonly missFetches: number
  readonly falseHits: number
}

const FULL = { count: 1_000_000, tail: 10_000, threshold: 500 }
const QUICK = { count: 3_000, tail: 600, threshold: 100 }
/** Raw data-channel rate Node→tab over loopback (team notes): what the document's bytes cost on the wire. */
const CHANNEL_BYTES_PER_S = 12e6

export interface CacheScale {
  readonly figures: BenchFigure[]
  readonly markdown: string
  readonly data: { readonly built: Built; readonly joined: Joined }
}

/** The `cachetree` section: its figures are scale figures of issue 15, measured in a section of their own for its time budget. */
export async function runCacheTreeBench(options: BenchOptions): Promise<BenchSection> {
  const scale = await runCacheScale(options)
  return { id: 'cachetree', title: 'Scale: the compacted cache at 10⁶ results', figures: scale.figures, markdown: scale.markdown, data: scale.data }
}

export async function runCacheScale(options: BenchOptions): Promise<CacheScale> {
  const size = options.quick ? QUICK : FULL
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-cache-scale-'))
  try {
    const builder = ChildScript.startWith(['--max-old-space-size=12000'], 'procs/cache-build.ts', [String(size.count), String(size.tail), String(size.threshold), dir])
    let built: Built
    try {
      built = await builder.next<Built>(options.quick ? 120_000 : 2_400_000)
    } finally {
      await builder.stop()
    }
    const joiner = ChildScript.startWith(['--expose-gc'], 'procs/cache-join.ts', [dir])
    let joined: Joined
    try {
      joined = await joiner.next<Joined>(600_000)
    } finally {
      await joiner.stop()
    }
    return report(built, joined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function report(built: Built, joined: Joined): CacheScale {
  const n = built.count.toLocaleString('en')
  // Each compaction leaves a few tombstones (the shard and root keys it deleted): counted for the compactions a
  // swarm that made all its results through the write path would have run, beyond those run here.
  const growth = built.afterCompaction.length > 2 ? (built.afterCompaction.at(-1)! - built.afterCompaction[1]!) / (built.afterCompaction.length - 2) : 0
  const historyCompactions = Math.max(0, Math.ceil(built.count / built.threshold) - built.compactions)
  const docBytes = built.docBytes + growth * historyCompactions
  const wireMs = (built.docBytes / CHANNEL_BYTES_PER_S) * 1000
  const joinMs = joined.joinMs + wireMs
  const figures: BenchFigure[] = [
    {
      id: 'scale.doc-bytes-1m',
      title: `Swarm document with ${n} cached results`,
      value: docBytes / 1e6,
      unit: 'MB',
      baseline: { label: '1 MB', value: 1, unit: 'MB' },
      ratio: docBytes / 1e6,
      target: '≤ 1',
      met: docBytes <= 1e6,
      note: `Measured ${(built.docBytes / 1e3).toFixed(0)} KB: tree roots, and ${built.uncompacted.toLocaleString('en')} entries (with their result values) not yet compacted (at most about twice the compaction threshold of ${built.threshold}); plus ${(growth * historyCompactions / 1e3).toFixed(0)} KB for the tombstones of the ${historyCompactions.toLocaleString('en')} compactions a swarm would have run to make the bulk (${growth.toFixed(0)} B each, measured over the ${built.compactions} run here, with 4 writers). The ${built.nodes.toLocaleString('en')} tree nodes written (${(built.nodeBytes / 1e6).toFixed(0)} MB, superseded versions included) are values in the store, not in the document.`,
    },
    {
      id: 'scale.peer-memory-1m',
      title: `Heap of a peer that joined a swarm with ${n} cached results and looked ${joined.lookups} of them up`,
      value: joined.heapAfterLookups / 1e6,
      unit: 'MB',
      baseline: { label: '100 MB', value: 100, unit: 'MB' },
      ratio: joined.heapAfterLookups / 1e8,
      target: '≤ 1',
      met: joined.heapAfterLookups <= 1e8,
      note: `Heap and array buffers after gc, less before: ${(joined.heapJoin / 1e6).toFixed(1)} MB once the document is applied, ${(joined.heapAfterLookups / 1e6).toFixed(1)} MB after ${joined.lookups} hits and ${joined.misses} misses, with every node fetched kept in an in-memory store (a tab keeps them in IndexedDB instead, off the heap).`,
    },
    {
      id: 'scale.join-1m',
      title: `A new peer's document sync in a swarm with ${n} cached results`,
      value: joinMs / 1000,
      unit: 's',
      baseline: { label: '2 s', value: 2, unit: 's' },
      ratio: joinMs / 2000,
      target: '≤ 1',
      met: joinMs <= 2000,
      note: `Applying the document: ${joined.joinMs.toFixed(0)} ms; its ${(built.docBytes / 1e3).toFixed(0)} KB over a data channel at the raw rate measured here (${CHANNEL_BYTES_PER_S / 1e6} MB/s Node→tab): ${wireMs.toFixed(0)} ms. Lookups after joining: ${(joined.hitMs / Math.max(1, joined.hits)).toFixed(1)} ms and ${(joined.hitFetches / Math.max(1, joined.hits)).toFixed(2)} node fetches per hit (the first ones fetch the upper levels), ${(joined.missMs / joined.misses).toFixed(2)} ms and ${(joined.missFetches / joined.misses).toFixed(3)} fetches per miss, ${joined.falseHits} false hits.`,
    },
  ]
  const markdown = [
    `Cache tree (docs/cache-tree.md): ${n} results, each a cache entry with one signed proof (flushes of 64 signed as one Merkle batch) and its result value; ${(built.count - built.tail).toLocaleString('en')} built into the tree in bulk (${(built.bulkMs / 1000).toFixed(0)} s), the last ${built.tail.toLocaleString('en')} written through the write path and compacted every ${built.threshold} entries (${built.compactions} compactions, ${(built.tailMs / 1000).toFixed(0)} s). A fresh process then joins.`,
    '',
    '| document (KB) | uncompacted entries | tree nodes written | nodes (MB) | join apply (ms) | heap after join (MB) | heap after lookups (MB) | fetches per hit | fetches per miss |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    `| ${(built.docBytes / 1e3).toFixed(0)} | ${built.uncompacted} | ${built.nodes} | ${(built.nodeBytes / 1e6).toFixed(0)} | ${joined.joinMs.toFixed(0)} | ${(joined.heapJoin / 1e6).toFixed(1)} | ${(joined.heapAfterLookups / 1e6).toFixed(1)} | ${(joined.hitFetches / Math.max(1, joined.hits)).toFixed(2)} | ${(joined.missFetches / joined.misses).toFixed(3)} |`,
  ].join('\n')
  return { figures, markdown, data: { built, joined } }
}
