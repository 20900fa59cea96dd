import { describe, expect, it } from 'vitest'
import type { BatchOptions, CallOptions, Swarm } from '@tessera/runtime'
import { jobSwarm } from '../src/cli/job-swarm.ts'

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

  it('passes nothing extra without the flag', async () => {
    const seen: Array<{ method: string; options: CallOptions | BatchOptions | undefined }> = []
    const fn = jobSwarm(recordingSwarm(seen), {}).pure(({ x }: { x: number }) => x)
    await fn.parallel([{ x: 1 }])
    expect(seen[0]?.options?.retryFailed).toBeUndefined()
  })
})
