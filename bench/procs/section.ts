// Runs one section of the report in a process of its own, so that nothing one
// section leaves behind (links, timers, native WebRTC state, heap) can skew or
// stall the next. Writes the outcome as JSON to <out-file>.
//   node --import tsx bench/procs/section.ts <id> <out-file> [--quick]
import { writeFile } from 'node:fs/promises'
import { closeBrowserSession } from '../lib/browser-session.ts'
import { SECTIONS, SectionMissing } from '../sections.ts'

export type SectionOutcome =
  | { readonly kind: 'section'; readonly section: import('../lib/section.ts').BenchSection }
  | { readonly kind: 'missing'; readonly why: string }
  | { readonly kind: 'failed'; readonly error: string }

const [id, out] = process.argv.slice(2) as [string, string]
const quick = process.argv.includes('--quick')

async function outcome(): Promise<SectionOutcome> {
  const entry = SECTIONS.find((s) => s.id === id)
  if (entry === undefined) return { kind: 'failed', error: `no section "${id}"` }
  try {
    const section = await (await entry.load())({ quick, verbose: !quick })
    return { kind: 'section', section }
  } catch (error) {
    if (error instanceof SectionMissing) return { kind: 'missing', why: error.message }
    return { kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  } finally {
    await closeBrowserSession().catch(() => {})
  }
}

await writeFile(out, JSON.stringify(await outcome()))
// Lingering sockets or timers of a section must not keep a finished section alive.
process.exit(0)
