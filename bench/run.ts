/**
 * `npm run bench`: every benchmark, each reporting ratios against a baseline
 * measured in the same run. Writes bench/results/<date>.json, <date>.md and
 * the SVG charts it links, and prints the summary table.
 *
 *   npm run bench                      full run (under 10 minutes on 2 cores)
 *   npm run bench -- --quick           smoke run: tiny sizes, written to a temp dir
 *   npm run bench -- --only cache,scale
 *   npm run bench -- --out DIR         write somewhere else
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readMachine } from './lib/machine.ts'
import { ratioChart, reportMarkdown, terminalTable, type BenchReport } from './lib/report.ts'
import type { BenchSection } from './lib/section.ts'
import type { SectionOutcome } from './procs/section.ts'
import { SECTIONS } from './sections.ts'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
/** A section that runs longer than this is stopped and reported as failed. */
const SECTION_TIMEOUT_MS = 8 * 60_000
/**
 * Sections the smoke run runs at once (its numbers are not data). Three: the
 * sections wait on tabs, sockets and child processes part of the time (two at
 * a time, the run took 124 s; three, 109 s, quiet, 2026-12-02).
 */
const QUICK_CONCURRENCY = 3
/** Sections of the smoke run that take longest, slowest first (measured 2026-12-01: trust 47 s, dispatch and efficiency 12 s). */
const QUICK_SLOW_SECTIONS = ['trust', 'dispatch', 'efficiency']

interface CliOptions {
  readonly quick: boolean
  readonly only: ReadonlySet<string> | undefined
  readonly out: string | undefined
}

function parseArgs(argv: readonly string[]): CliOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    const inline = argv.find((a) => a.startsWith(`${flag}=`))
    return inline !== undefined ? inline.slice(flag.length + 1) : i >= 0 ? argv[i + 1] : undefined
  }
  const only = value('--only')
  const ids = only === undefined ? undefined : new Set(only.split(',').map((s) => s.trim()).filter(Boolean))
  for (const id of ids ?? []) if (!SECTIONS.some((s) => s.id === id)) throw new Error(`--only: no section "${id}" (sections: ${SECTIONS.map((s) => s.id).join(', ')})`)
  return { quick: argv.includes('--quick'), only: ids, out: value('--out') }
}

function localDate(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** Chart files get the date in front, so each report keeps its own; the section's Markdown follows the rename. */
function datedCharts(section: BenchSection, date: string): BenchSection {
  const charts = section.charts ?? {}
  let markdown = section.markdown
  const renamed: Record<string, string> = {}
  for (const [name, svg] of Object.entries(charts)) {
    renamed[`${date}-${name}`] = svg
    if (markdown !== undefined) markdown = markdown.split(`(${name})`).join(`(${date}-${name})`)
  }
  return { ...section, charts: renamed, ...(markdown === undefined ? {} : { markdown }) }
}

/** One section in a Node process of its own (bench/procs/section.ts); its output goes straight to ours. */
async function runSection(id: string, quick: boolean, scratch: string): Promise<SectionOutcome> {
  const out = path.join(scratch, `${id}.json`)
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'procs', 'section.ts'), id, out, ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), SECTION_TIMEOUT_MS)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  clearTimeout(timer)
  try {
    return JSON.parse(await readFile(out, 'utf8')) as SectionOutcome
  } catch {
    return { kind: 'failed', error: `the section's process exited (code ${code}) without a result${code === null ? ` (stopped after ${SECTION_TIMEOUT_MS / 60_000} minutes)` : ''}` }
  }
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2))
  const started = new Date()
  const t0 = performance.now()
  const date = localDate(started)
  const machine = await readMachine()
  const sections: BenchSection[] = []
  const failures: Array<{ id: string; error: string }> = []
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-'))
  const selected = SECTIONS.filter((entry) => cli.only === undefined || cli.only.has(entry.id))
  const outcomes = new Map<string, SectionOutcome>()
  const runOne = async (id: string): Promise<void> => {
    const s0 = performance.now()
    if (!cli.quick) console.log(`== ${id}`)
    const outcome = await runSection(id, cli.quick, scratch)
    outcomes.set(id, outcome)
    const took = `${((performance.now() - s0) / 1000).toFixed(1)} s`
    if (outcome.kind === 'section') console.log(`   ${id}: ${took}`)
    else if (outcome.kind === 'missing') console.log(`   ${id}: skipped (${outcome.why})`)
    else console.error(`   ${id} FAILED after ${took}: ${outcome.error}`)
  }
  try {
    // The full run measures one section at a time, alone on the machine. The smoke
    // run only proves that every section still runs, so it runs them side by side.
    const lanes = cli.quick ? QUICK_CONCURRENCY : 1
    // The smoke run starts its slowest sections first, so that they overlap the rest
    // instead of running alone at the end (trust alone took 47 of its 83 s last).
    const rank = (id: string): number => (QUICK_SLOW_SECTIONS.includes(id) ? QUICK_SLOW_SECTIONS.indexOf(id) : QUICK_SLOW_SECTIONS.length)
    const queue = selected.map((entry) => entry.id)
    if (cli.quick) queue.sort((a, b) => rank(a) - rank(b))
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await runOne(id)
      }),
    )
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  for (const { id } of selected) {
    const outcome = outcomes.get(id)
    if (outcome?.kind === 'section') sections.push(datedCharts(outcome.section, date))
    else if (outcome?.kind === 'failed') failures.push({ id, error: outcome.error })
  }

  const report: BenchReport = {
    benchmark: 'tessera',
    date,
    generatedAt: started.toISOString(),
    quick: cli.quick,
    durationSeconds: (performance.now() - t0) / 1000,
    machine,
    sections,
    failures,
  }
  // A partial run (--only) goes to results/partial, so it never overwrites the day's full report.
  const dir =
    cli.out ??
    (cli.quick ? path.join(os.tmpdir(), 'tessera-bench-quick') : path.join(BENCH_DIR, 'results', ...(cli.only === undefined ? [] : ['partial'])))
  const base = `${date}${cli.quick ? '.quick' : ''}`
  const charts: Record<string, string> = Object.assign({}, ...sections.map((s) => s.charts ?? {}))
  const overview = ratioChart(sections)
  if (overview !== undefined) charts[`${date}-ratios.svg`] = overview
  await mkdir(dir, { recursive: true })
  for (const [name, svg] of Object.entries(charts)) await writeFile(path.join(dir, name), svg)
  await writeFile(path.join(dir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(path.join(dir, `${base}.md`), reportMarkdown(report, Object.keys(charts)))

  console.log(`\nTessera benchmarks${cli.quick ? ' (quick: numbers are not data)' : ''} — ${machine.cores} cores, Node ${machine.node}, Chromium ${machine.chromium}\n`)
  console.log(terminalTable(sections))
  console.log(`\nwrote ${path.join(dir, `${base}.md`)} (+ .json, ${Object.keys(charts).length} charts) in ${report.durationSeconds.toFixed(1)} s`)
  if (failures.length > 0) {
    console.error(`\n${failures.length} section(s) failed: ${failures.map((f) => f.id).join(', ')}`)
    process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
