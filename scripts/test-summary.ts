// The closing summary of `npm test`: one line per stage, then, for each stage
// that failed, the failing tests by name with their error and their own output,
// and the tail of the stage's log. CI logs are read from the bottom, so this is
// the last thing printed.
//
// Usage: tsx scripts/test-summary.ts <stages.tsv>
// Each line of stages.tsv: name, exit code, seconds, log path, JUnit path (or '-'), tab-separated.
import { existsSync, readFileSync } from 'node:fs'

interface Stage {
  readonly name: string
  readonly exitCode: number
  readonly seconds: number
  readonly log: string
  readonly junit: string | undefined
}

interface FailedTest {
  readonly name: string
  readonly error: string
  readonly output: string
}

const ERROR_LINES = 30
const OUTPUT_LINES = 40
const LOG_TAIL_LINES = 60

const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')

const tail = (text: string, lines: number): string[] => {
  const all = text.replace(/\s+$/, '').split('\n')
  return all.length > lines ? [`... (${all.length - lines} lines above)`, ...all.slice(-lines)] : all
}

const head = (text: string, lines: number): string[] => {
  const all = text.replace(/\s+$/, '').split('\n')
  return all.length > lines ? [...all.slice(0, lines), `... (${all.length - lines} lines more)`] : all
}

/** Drops the blank and indentation-only lines the XML layout puts around a block. */
const trimBlankLines = (text: string): string => text.replace(/^(\s*\n)+/, '').replace(/(\n\s*)+$/, '').replace(/^\s+$/, '')

function decodeXml(text: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(text)
  if (cdata !== null) return cdata[1] ?? ''
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

const attribute = (attributes: string, name: string): string => decodeXml(new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1] ?? '')

const element = (body: string, name: string): string | undefined => {
  const match = new RegExp(`<${name}\\b[^>]*>([\\s\\S]*?)</${name}>`).exec(body)
  return match === null ? undefined : decodeXml(match[1] ?? '')
}

/** The failing test cases of a Vitest JUnit report (a failure or an error element). */
function failedTestsOf(junitXml: string): FailedTest[] {
  const failed: FailedTest[] = []
  for (const match of junitXml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attributes = match[1] ?? ''
    const body = match[2] ?? ''
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body)
    if (problem === null) continue
    const message = attribute(problem[2] ?? '', 'message')
    const details = decodeXml(problem[3] ?? '').trim()
    const output = [element(body, 'system-out'), element(body, 'system-err')]
      .map((text) => trimBlankLines(text ?? ''))
      .filter((text) => text !== '')
      .join('\n')
    const file = attribute(attributes, 'classname')
    const test = attribute(attributes, 'name')
    failed.push({
      // Vitest names the file itself when it failed outside any test (import, beforeAll).
      name: test === file ? `${file} (the file: it failed to load or in a hook)` : `${file} > ${test}`,
      error: details === '' ? message : details,
      output,
    })
  }
  return failed
}

/** Vitest's own FAIL lines, for when no JUnit report was written (the run crashed or was killed). */
const failLinesOf = (log: string): string[] => [...new Set(log.split('\n').filter((line) => /^\s*FAIL\s/.test(line)).map((line) => line.trim()))]

function readStages(path: string): Stage[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name = '?', exitCode = '1', seconds = '0', log = '', junit = '-'] = line.split('\t')
      return { name, exitCode: Number(exitCode), seconds: Number(seconds), log, junit: junit === '-' ? undefined : junit }
    })
}

/** What a reader needs about one failed stage: its log's tail, then each failing test with its error and output. */
function describeFailure(stage: Stage, failed: readonly FailedTest[]): string[] {
  const log = existsSync(stage.log) ? stripAnsi(readFileSync(stage.log, 'utf8')) : ''
  const out: string[] = [``, `━━ FAILED: ${stage.name} (exit ${stage.exitCode}); last lines of ${stage.log}:`, ...tail(log, LOG_TAIL_LINES).map((line) => `  ${line}`)]
  for (const test of failed) {
    out.push(``, `  ✗ ${test.name}`, ...head(stripAnsi(test.error), ERROR_LINES).map((line) => `      ${line}`))
    if (test.output !== '') out.push(`    its output:`, ...tail(stripAnsi(test.output), OUTPUT_LINES).map((line) => `      ${line}`))
  }
  if (failed.length === 0 && stage.junit !== undefined) {
    const failLines = failLinesOf(log)
    out.push(
      ``,
      failLines.length > 0
        ? `No JUnit report of the failures; Vitest's FAIL lines:`
        : `No failing test was reported: a file that did not load, an error outside any test, or the run was stopped (see the log above).`,
      ...failLines.map((line) => `  ${line}`),
    )
    if (/Unhandled (Errors?|Rejection)/.test(log)) out.push(`Vitest reported unhandled errors: they fail the run even when every test passed.`)
  }
  return out
}

function main(): void {
  const stagesFile = process.argv[2]
  if (stagesFile === undefined) throw new Error('usage: test-summary.ts <stages.tsv>')
  const stages = readStages(stagesFile)
  const failedStages = stages.filter((stage) => stage.exitCode !== 0)
  const failedTests = new Map(
    failedStages.map((stage) => [stage, stage.junit !== undefined && existsSync(stage.junit) ? failedTestsOf(readFileSync(stage.junit, 'utf8')) : []]),
  )
  const lines: string[] = []
  for (const [stage, failed] of failedTests) lines.push(...describeFailure(stage, failed))
  const total = stages.reduce((sum, stage) => sum + stage.seconds, 0)
  lines.push(``, `══ npm test: ${failedStages.length === 0 ? 'passed' : 'FAILED'} in ${formatSeconds(total)}`)
  for (const stage of stages) {
    const log = existsSync(stage.log) ? stripAnsi(readFileSync(stage.log, 'utf8')) : ''
    const counts = log.split('\n').filter((line) => /^\s*Tests\s/.test(line)).pop()?.trim()
    lines.push(`  ${stage.exitCode === 0 ? 'ok    ' : 'FAILED'} ${stage.name.padEnd(10)} ${formatSeconds(stage.seconds).padStart(6)}${counts === undefined ? '' : `   ${counts}`}`)
  }
  // The very last lines name what failed, for a reader who sees only the end of the CI log.
  for (const [stage, failed] of failedTests) {
    lines.push(`FAILED stage ${stage.name} (exit ${stage.exitCode}, log ${stage.log})${failed.length > 0 ? ':' : ''}`)
    for (const test of failed) lines.push(`  ✗ ${test.name}`)
  }
  console.log(lines.join('\n'))
}

const formatSeconds = (seconds: number): string => (seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`)

main()
