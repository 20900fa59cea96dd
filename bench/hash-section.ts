/**
 * The content-address hash benchmark (bench/hash.ts, docs/hashing.md) as one
 * section of the report. Its numbers keep their meaning: MB/s and µs per
 * sequential hash of seeded input, per candidate, in Node and in Chromium.
 */
import { formatMarkdown, runHashBench, type HashBenchReport } from './hash.ts'
import { formatSize, type CandidateName, type HashBenchRow } from './hash/candidates.ts'
import type { BenchFigure, BenchOptions, BenchSection } from './lib/section.ts'
import { barChart } from './lib/svg-chart.ts'

function row(rows: readonly HashBenchRow[], candidate: CandidateName, size: number): HashBenchRow {
  const found = rows.find((r) => r.candidate === candidate && r.size === size)
  if (found === undefined) throw new Error(`hash benchmark has no ${candidate} at ${size} B`)
  return found
}

/** The small-value path: noble SHA-256 (what core uses for arguments) against the fastest SHA-256 measured. */
function smallFigure(report: HashBenchReport, env: 'node' | 'chromium'): BenchFigure {
  const size = Math.min(...report.options.sizes)
  const ours = row(report.results[env], 'noble-sha256', size)
  const fastest = row(report.results[env], 'hashwasm-sha256', size)
  return {
    id: `hash.small-${env}`,
    title: `Hashing ${formatSize(size)} of arguments in ${env === 'node' ? 'Node' : 'Chromium'} (noble SHA-256, the memoized-call path)`,
    value: ours.microsPerHash,
    unit: 'µs/hash',
    baseline: { label: 'hash-wasm SHA-256, the fastest SHA-256 measured', value: fastest.microsPerHash, unit: 'µs/hash' },
    ratio: fastest.microsPerHash / ours.microsPerHash,
    note: 'Ratio = baseline time / our time (1 = as fast as the fastest). No target: docs/hashing.md explains why noble is kept although hash-wasm is faster on small inputs (synchronous from the first call, no WASM to instantiate).',
  }
}

/** The blob path: WebCrypto SHA-256 against BLAKE3, the faster-hash alternative that was rejected. */
function blobFigure(report: HashBenchReport, env: 'node' | 'chromium'): BenchFigure {
  const size = Math.max(...report.options.sizes)
  const ours = row(report.results[env], 'webcrypto-sha256', size)
  const blake = row(report.results[env], 'hashwasm-blake3', size)
  return {
    id: `hash.blob-${env}`,
    title: `Hashing a ${formatSize(size)} blob in ${env === 'node' ? 'Node' : 'Chromium'} (WebCrypto SHA-256, the blob path)`,
    value: ours.mbPerSec,
    unit: 'MB/s',
    baseline: { label: 'hash-wasm BLAKE3 (the rejected alternative)', value: blake.mbPerSec, unit: 'MB/s' },
    ratio: ours.mbPerSec / blake.mbPerSec,
    target: '≥ 1× BLAKE3 (the reason SHA-256 was chosen)',
    met: ours.mbPerSec >= blake.mbPerSec,
    ...(ours.mbPerSec >= blake.mbPerSec ? {} : { note: 'WebCrypto SHA-256 fell behind hash-wasm BLAKE3 on this run: docs/hashing.md measured it ahead on large inputs; a loaded machine moves both.' }),
  }
}

export async function runHashSection(options: BenchOptions): Promise<BenchSection> {
  const { report } = await runHashBench({ quick: options.quick, write: false, verbose: false })
  const largest = Math.max(...report.options.sizes)
  const candidates: CandidateName[] = ['noble-sha256', 'webcrypto-sha256', 'hashwasm-sha256', 'noble-blake3', 'hashwasm-blake3']
  // Reuse the standalone report's tables, one heading level down and without its title.
  const tables = formatMarkdown(report)
    .split('\n')
    .slice(2)
    .map((line) => (line.startsWith('## ') ? `#${line}` : line))
    .join('\n')
  return {
    id: 'hash',
    title: 'Content-address hash (SHA-256 vs BLAKE3, Node and Chromium)',
    figures: [smallFigure(report, 'node'), smallFigure(report, 'chromium'), blobFigure(report, 'node'), blobFigure(report, 'chromium')],
    markdown: tables,
    charts: {
      'hash-throughput.svg': barChart({
        title: `Hash throughput at ${formatSize(largest)}`,
        unit: 'MB/s',
        series: ['Node', 'Chromium'],
        groups: candidates.map((c) => ({ label: c, values: [row(report.results.node, c, largest).mbPerSec, row(report.results.chromium, c, largest).mbPerSec] })),
        log: true,
      }),
    },
    data: report,
  }
}
