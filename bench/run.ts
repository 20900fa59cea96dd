/**
 * `npm run bench`: every benchmark, each reporting ratios against a baseline
 * measured in the same run. `--quick` is the few-second smoke run that
 * `npm test` makes, so the benchmarks never rot; its numbers are not data.
 *
 * So far: the content-address hash, in Node and Chromium (docs/hashing.md).
 */
import { formatSummaryTable, runHashBench } from './hash.ts'

const quick = process.argv.includes('--quick')
const { report, files } = await runHashBench({ quick, verbose: !quick })
console.log(formatSummaryTable(report))
if (files.length > 0) console.log(`\nwrote ${files.join(', ')}`)
else console.log('\n(quick run: nothing written)')
