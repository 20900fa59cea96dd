/**
 * Task logs, failures and retries: `tessera run examples/odd-fails.ts [-- --n 4]`.
 *
 * Each task prints what it does (`tessera run` shows every line, prefixed
 * with its task), and the odd ones throw. A rerun answers every call from the
 * cache, failures included; `--retry-failed` forgets the cached failures and
 * runs those calls again. These fail again, as a pure function must: retrying
 * is for failures of the moment, such as a timeout on a slow tab.
 */
import type { JobModule } from '@tessera/host'
import { integerArgs } from './lib/job-args.ts'

const job: JobModule<Array<number | string>> = async (swarm, { args, signal }) => {
  const { n } = integerArgs(args, { n: 4 })
  const check = swarm.pure(
    ({ x }: { x: number }) => {
      console.log(`checking ${x}`)
      if (x % 2 === 1) {
        console.warn(`${x} is odd`)
        throw new RangeError(`odd: ${x}`)
      }
      return x * 10
    },
    // One attempt: a thrown error is the call's result, not a reason to try elsewhere.
    { name: 'examples/odd-fails:check', maxAttempts: 1 },
  )
  // settle: failed calls come back as such, beside the values, instead of rejecting the batch.
  const settled = await check.parallel(
    Array.from({ length: n }, (_, i) => ({ x: i + 1 })),
    { settle: true, signal },
  )
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.error.message))
}
export default job
