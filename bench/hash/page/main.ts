// Runs the shared hash benchmark in the browser. The result lands on
// globalThis.hashBench (or globalThis.hashBenchError) for bench/hash.ts to collect.
// `?quick=1` selects the quick preset.

import { benchOptions, measureHashes, type HashBenchRow } from '../candidates.ts'

declare global {
  var hashBench: HashBenchRow[] | undefined
  var hashBenchError: string | undefined
}

const status = document.getElementById('status')
const log = document.getElementById('log')
const quick = new URLSearchParams(location.search).get('quick') === '1'

measureHashes({
  ...benchOptions(quick),
  onProgress: (message) => {
    if (log !== null) log.textContent += `${message}\n`
  },
}).then(
  (rows) => {
    globalThis.hashBench = rows
    if (status !== null) status.textContent = `done: ${rows.length} measurements`
  },
  (error: unknown) => {
    globalThis.hashBenchError = error instanceof Error ? (error.stack ?? error.message) : String(error)
    if (status !== null) status.textContent = `failed: ${globalThis.hashBenchError}`
  },
)
