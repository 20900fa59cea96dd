// Content-address hash benchmark: SHA-256 vs BLAKE3, in Node and in headless Chromium.
//
//   npx tsx bench/hash.ts          full run; writes bench/results/hash-YYYY-MM-DD.{json,md}
//
// `runHashBench({ quick: true })` (2 sizes, ~20 ms per point) is for bench/run.ts.

import path from 'node:path'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { launchChromium, startVite } from '../tests/support/chromium.ts'
import { hostFacts } from './lib/machine.ts'
import {
  MULTIHASH_CODE,
  benchOptions,
  formatSize,
  measureHashes,
  type CandidateName,
  type HashBenchRow,
} from './hash/candidates.ts'

export type HashEnvironment = 'node' | 'chromium'

export interface HashBenchReport {
  benchmark: 'hash'
  date: string
  generatedAt: string
  quick: boolean
  units: { mbPerSec: string; microsPerHash: string }
  options: { sizes: readonly number[]; targetMs: number; warmupMs: number }
  multihashCodes: typeof MULTIHASH_CODE
  machine: {
    cpuModel: string
    cores: number
    totalMemoryGiB: number
    platform: string
    arch: string
    node: string
    chromium: string
    chromiumUserAgent: string
    chromiumHardwareConcurrency: number
    packages: Record<string, string>
  }
  results: Record<HashEnvironment, HashBenchRow[]>
}

export interface HashBenchRunOptions {
  quick: boolean
  /** Write bench/results/hash-DATE(.quick).{json,md}; defaults to true for full runs, false for quick ones. */
  write?: boolean
  /** Print per-measurement progress lines; defaults to false. */
  verbose?: boolean
}

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const REPO_ROOT = path.resolve(BENCH_DIR, '..')
const PAGE_ROOT = path.join(BENCH_DIR, 'hash', 'page')
const RESULTS_DIR = path.join(BENCH_DIR, 'results')

function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

async function packageVersion(name: string): Promise<string> {
  try {
    const json = JSON.parse(await readFile(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }
    return json.version ?? 'unknown'
  } catch {
    return 'not installed'
  }
}

async function runInChromium(quick: boolean, log: (line: string) => void): Promise<{ rows: HashBenchRow[]; version: string; userAgent: string; hardwareConcurrency: number }> {
  const { server, url } = await startVite(PAGE_ROOT)
  try {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      page.on('pageerror', (error) => log(`[chromium pageerror] ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error') log(`[chromium console] ${message.text()}`)
      })
      await page.goto(`${url}${quick ? '?quick=1' : ''}`)
      await page.waitForFunction(() => globalThis.hashBench !== undefined || globalThis.hashBenchError !== undefined, undefined, {
        polling: 250,
        timeout: quick ? 30_000 : 100_000,
      })
      const outcome = await page.evaluate(() => ({
        rows: globalThis.hashBench,
        error: globalThis.hashBenchError,
        userAgent: navigator.userAgent,
        hardwareConcurrency: navigator.hardwareConcurrency,
      }))
      if (outcome.error !== undefined) throw new Error(`hash benchmark failed in Chromium:\n${outcome.error}`)
      if (outcome.rows === undefined) throw new Error('hash benchmark in Chromium produced no rows')
      return { rows: outcome.rows, version: browser.version(), userAgent: outcome.userAgent, hardwareConcurrency: outcome.hardwareConcurrency }
    } finally {
      await browser.close()
    }
  } finally {
    await server.close()
  }
}

/** Same seeded input in both environments, so every (candidate, size) digest must match across them. */
function checkCrossEnvironmentDigests(node: readonly HashBenchRow[], chromium: readonly HashBenchRow[]): void {
  const key = (r: HashBenchRow) => `${r.candidate}@${r.size}`
  const chromiumDigests = new Map(chromium.map((r) => [key(r), r.digest]))
  for (const r of node) {
    const other = chromiumDigests.get(key(r))
    if (other === undefined) throw new Error(`Chromium has no result for ${key(r)}`)
    if (other !== r.digest) throw new Error(`digest mismatch between Node and Chromium for ${key(r)}: ${r.digest} vs ${other}`)
  }
  if (chromium.length !== node.length) throw new Error(`Node produced ${node.length} rows but Chromium ${chromium.length}`)
}

export async function runHashBench({ quick, write = !quick, verbose = false }: HashBenchRunOptions): Promise<{ report: HashBenchReport; files: string[] }> {
  const log = (line: string) => {
    if (verbose) console.log(line)
  }
  const options = benchOptions(quick)
  const started = new Date()

  log('— Node')
  const nodeRows = await measureHashes({ ...options, onProgress: (m) => log(`  node      ${m}`) })

  log('— Chromium')
  const chromium = await runInChromium(quick, log)
  checkCrossEnvironmentDigests(nodeRows, chromium.rows)

  const report: HashBenchReport = {
    benchmark: 'hash',
    date: localDate(started),
    generatedAt: started.toISOString(),
    quick,
    units: { mbPerSec: 'MB/s, 1 MB = 10^6 bytes', microsPerHash: 'mean wall-clock microseconds per hash (sequential)' },
    options: { sizes: options.sizes ?? [], targetMs: options.targetMs ?? 0, warmupMs: options.warmupMs ?? 0 },
    multihashCodes: MULTIHASH_CODE,
    machine: {
      ...hostFacts(),
      chromium: chromium.version,
      chromiumUserAgent: chromium.userAgent,
      chromiumHardwareConcurrency: chromium.hardwareConcurrency,
      packages: {
        '@noble/hashes': await packageVersion('@noble/hashes'),
        'hash-wasm': await packageVersion('hash-wasm'),
        'playwright-core': await packageVersion('playwright-core'),
        vite: await packageVersion('vite'),
      },
    },
    results: { node: nodeRows, chromium: chromium.rows },
  }

  const files: string[] = []
  if (write) {
    await mkdir(RESULTS_DIR, { recursive: true })
    const base = path.join(RESULTS_DIR, `hash-${report.date}${quick ? '.quick' : ''}`)
    await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`)
    await writeFile(`${base}.md`, formatMarkdown(report))
    files.push(`${base}.json`, `${base}.md`)
  }
  return { report, files }
}

// ---------------------------------------------------------------- formatting

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: (col: number) => boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const cell = (text: string, i: number) => (rightAlign(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => cell(c, i)).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (rightAlign(i) ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function fmtMbps(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
}

function fmtMicros(v: number): string {
  return v >= 1000 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
}

const CANDIDATE_ORDER: readonly CandidateName[] = ['noble-sha256', 'webcrypto-sha256', 'hashwasm-sha256', 'noble-blake3', 'hashwasm-blake3']

/** One row per (size, candidate) with both environments side by side. */
export function formatSummaryTable(report: HashBenchReport): string {
  const chromium = new Map(report.results.chromium.map((r) => [`${r.candidate}@${r.size}`, r]))
  const rows: string[][] = []
  for (const size of report.options.sizes) {
    for (const candidate of CANDIDATE_ORDER) {
      const n = report.results.node.find((r) => r.candidate === candidate && r.size === size)
      const c = chromium.get(`${candidate}@${size}`)
      if (n === undefined || c === undefined) continue
      rows.push([formatSize(size), candidate, fmtMbps(n.mbPerSec), fmtMicros(n.microsPerHash), fmtMbps(c.mbPerSec), fmtMicros(c.microsPerHash)])
    }
  }
  return table(['size', 'candidate', 'Node MB/s', 'Node µs/hash', 'Chromium MB/s', 'Chromium µs/hash'], rows, (i) => i >= 2)
}

/** Candidates × sizes, throughput only, for one environment. */
function formatMatrix(rows: readonly HashBenchRow[], sizes: readonly number[]): string {
  const body = CANDIDATE_ORDER.map((candidate) => [
    candidate,
    ...sizes.map((size) => {
      const r = rows.find((x) => x.candidate === candidate && x.size === size)
      return r === undefined ? '—' : fmtMbps(r.mbPerSec)
    }),
  ])
  return table(['MB/s', ...sizes.map(formatSize)], body, (i) => i >= 1)
}

export function formatMarkdown(report: HashBenchReport): string {
  const m = report.machine
  return `# Hash benchmark — ${report.date}${report.quick ? ' (quick)' : ''}

Generated by \`npx tsx bench/hash.ts\` at ${report.generatedAt}. Shared code: \`bench/hash/candidates.ts\`.

- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB, ${m.platform} (${m.arch})
- Node ${m.node}; Chromium ${m.chromium} (headless, main thread, navigator.hardwareConcurrency = ${m.chromiumHardwareConcurrency})
- Packages: ${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')}
- Method: seeded pseudo-random input; per (candidate, size) a warmup of ≥ ${report.options.warmupMs} ms, then one timed batch of ~${report.options.targetMs} ms of sequential hashes. WebCrypto is awaited one hash at a time. hash-wasm is instantiated once, outside timing; each hash is \`init().update().digest('binary')\`.
- Units: ${report.units.mbPerSec}; µs/hash = ${report.units.microsPerHash}.
- Checks passed: "abc" known-answer vectors; all SHA-256 implementations agree and both BLAKE3 implementations agree at every size; Node and Chromium digests are identical.

## Side by side

${formatSummaryTable(report)}

## Throughput matrix — Node

${formatMatrix(report.results.node, report.options.sizes)}

## Throughput matrix — Chromium

${formatMatrix(report.results.chromium, report.options.sizes)}
`
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const t0 = performance.now()
  const { report, files } = await runHashBench({ quick: process.argv.includes('--quick'), verbose: true })
  console.log(`\nHash benchmark (${report.machine.cores} cores, Node ${report.machine.node}, Chromium ${report.machine.chromium})\n`)
  console.log(formatSummaryTable(report))
  console.log('')
  for (const f of files) console.log(`wrote ${path.relative(process.cwd(), f)}`)
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    () => {
      process.exitCode = 0
    },
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
