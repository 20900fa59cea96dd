import { describe, expect, it } from 'vitest'
import type { BatchOptions, CallOptions, Swarm } from '@tessera/runtime'
import { jobSwarm } from '../src/cli/job-swarm.ts'
import { ProgressReporter } from '../src/cli/progress-bar.ts'

/** A swarm whose functions only record the options each call was given. */
function recordingSwarm(seen: Array<{ method: string; options: CallOptions | BatchOptions | undefined }>): Swarm {
  const pure = () => {
    const record = (method: string) => (_args: unknown, options?: CallOptions | BatchOptions) => {
      seen.push({ method, options })
      return Promise.resolve([])
    }
    return Object.assign(record('call'), {
      remote: record('remote'),
      parallel: record('parallel'),
      parallelRefs: record('parallelRefs'),
      stream: record('stream'),
      submit: record('submit'),
      definition: {},
    })
  }
  return { pure } as unknown as Swarm
}

describe('jobSwarm: what `tessera run --retry-failed` passes to every call', () => {
  it('adds retryFailed to calls, remote calls and batches, and leaves a job that set it alone', async () => {
    const seen: Array<{ method: string; options: CallOptions | BatchOptions | undefined }> = []
    const swarm = jobSwarm(recordingSwarm(seen), { retryFailed: true })
    const fn = swarm.pure(({ x }: { x: number }) => x)
    await fn({ x: 1 })
    await fn.remote({ x: 1 })
    await fn.parallel([{ x: 1 }], { settle: false })
    await fn.parallel([{ x: 1 }], { retryFailed: false })
    expect(seen.map((s) => [s.method, s.options?.retryFailed])).toEqual([
      ['call', true],
      ['remote', true],
      ['parallel', true],
      ['parallel', false],
    ])
  })

  it('adds noWorkers: "fail" and its time to every call for --fail-if-no-workers, unless the job chose itself', async () => {
    const seen: Array<{ method: string; options: CallOptions | BatchOptions | undefined }> = []
    const fn = jobSwarm(recordingSwarm(seen), { noWorkers: 'fail', noWorkersMs: 2_000 }).pure(({ x }: { x: number }) => x)
    await fn({ x: 1 })
    await fn.remote({ x: 1 })
    await fn.stream([{ x: 1 }])
    await fn.parallel([{ x: 1 }], { noWorkers: 'wait' })
    expect(seen.map((s) => [s.method, s.options?.noWorkers, s.options?.noWorkersMs])).toEqual([
      ['call', 'fail', 2_000],
      ['remote', 'fail', 2_000],
      ['stream', 'fail', 2_000],
      ['parallel', 'wait', 2_000],
    ])
  })

  it('passes nothing extra without the flag', async () => {
    const seen: Array<{ method: string; options: CallOptions | BatchOptions | undefined }> = []
    const fn = jobSwarm(recordingSwarm(seen), {}).pure(({ x }: { x: number }) => x)
    await fn.parallel([{ x: 1 }])
    expect(seen[0]?.options).toBeUndefined()
  })

  it('prints each line a task logs on stderr, prefixed with its task', async () => {
    const seen: Array<{ method: string; options: CallOptions | BatchOptions | undefined }> = []
    const printed: string[] = []
    const progress = new ProgressReporter({ isTTY: false, write: (text: string) => printed.push(text) })
    const fn = jobSwarm(recordingSwarm(seen), { progress }).pure(({ x }: { x: number }) => x, { name: 'sq' })
    await fn.parallel([{ x: 1 }, { x: 2 }])
    await fn.remote({ x: 3 })
    const onBatchLog = seen[0]?.options?.onLog
    const onRemoteLog = seen[1]?.options?.onLog
    const peer = 'kpeer' as never
    onBatchLog?.({ index: 1, args: { x: 2 }, stream: 'warn', text: 'two\nlines', peer, truncated: true })
    onRemoteLog?.({ index: 0, args: { x: 3 }, stream: 'log', text: 'three', peer, truncated: false })
    expect(printed.join('')).toContain('[sq #1 warn] two\n[sq #1 warn] lines\n[sq #1 warn] (output cut: a task keeps at most 50 lines, 8192 characters)\n[sq #0] three\n')
  })
})
