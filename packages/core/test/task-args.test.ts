import * as prng from 'lib0/prng'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  asJobId,
  asPeerId,
  definePure,
  Donor,
  encodeCanonical,
  inlineArgsOf,
  INLINE_VALUE_LIMIT,
  JobDoc,
  JobIndex,
  loadTaskArgs,
  MalformedRecordError,
  MemoryBlobStore,
  MemoryExecutor,
  submitJob,
  SwarmDoc,
  ValueStore,
  type TaskRecord,
  Identity,
} from '@tessera/core'
import { SimClock } from '@tessera/core/testing'

const rejections: unknown[] = []
const onRejection = (reason: unknown): void => {
  rejections.push(reason)
}
beforeAll(() => process.on('unhandledRejection', onRejection))
afterAll(() => process.off('unhandledRejection', onRejection))

const measure = definePure(({ text }: { text: string }) => text.length, { name: 'measure' })
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

async function submitted(argsList: Array<{ text: string }>) {
  const swarm = new SwarmDoc()
  const values = new ValueStore(swarm, new MemoryBlobStore())
  const job = new JobDoc(asJobId('j'))
  const { spec } = await submitJob(swarm, values, { id: job.id, fn: measure, argsList, identity: Identity.fromSeed('host'), now: 0, job })
  return { swarm, values, job, spec, index: new JobIndex(job, spec) }
}

describe("task arguments in the job's document", () => {
  it('small arguments ride in the task record, large ones are blobs listed in the swarm document', async () => {
    const small = { text: 'a'.repeat(100) }
    const large = { text: 'b'.repeat(INLINE_VALUE_LIMIT + 1) }
    const { swarm, values, index } = await submitted([small, large])
    const first = index.task('0') as TaskRecord
    const second = index.task('1') as TaskRecord
    expect(first.inlineArgs).toBeDefined()
    expect(second.inlineArgs).toBeUndefined()
    // The swarm document lists the function and the large argument, not the small one.
    expect(swarm.values.size).toBe(2)
    expect(values.has(second.args)).toBe(true)
    expect(values.has(first.args)).toBe(false)
    expect(inlineArgsOf(first)).toEqual(encodeCanonical(small))
    expect(await loadTaskArgs(first, values)).toEqual(small)
    expect(await loadTaskArgs(second, values)).toEqual(large)
  })

  it('a record with inline arguments over the cap or not in base64 is ignored; one that does not hash to its args is malformed', async () => {
    const { job, index } = await submitted([{ text: 'x' }, { text: 'y' }, { text: 'z' }])
    const task = index.task('0') as TaskRecord
    const tasks = job.doc.getMap('tasks')
    tasks.set('1', { ...(index.task('1') as TaskRecord), inlineArgs: base64(new Uint8Array(INLINE_VALUE_LIMIT + 3)) })
    tasks.set('2', { ...(index.task('2') as TaskRecord), inlineArgs: 'not base64!' })
    expect(index.task('1')).toBeUndefined()
    expect(index.task('2')).toBeUndefined()
    const forged = { ...task, inlineArgs: base64(encodeCanonical({ text: 'forged' })) }
    expect(() => inlineArgsOf(forged)).toThrow(MalformedRecordError)
    // Over the cap by a byte, within what base64's length allows.
    const oneOver = { ...task, inlineArgs: base64(new Uint8Array(INLINE_VALUE_LIMIT + 1)) }
    expect(() => inlineArgsOf(oneOver)).toThrow(MalformedRecordError)
  })

  it('a donor skips a task whose inline arguments are forged: nothing is reported on it, and the rest complete', async () => {
    const argsList = Array.from({ length: 20 }, (_, i) => ({ text: 'w'.repeat(i) }))
    const { swarm, values, job, spec, index } = await submitted(argsList)
    const forged = { ...(index.task('0') as TaskRecord), inlineArgs: base64(encodeCanonical({ text: 'forged!' })) }
    job.doc.getMap('tasks').set('0', forged)
    const clock = new SimClock()
    const random = prng.create(5)
    const errors: unknown[] = []
    const donor = new Donor({
      identity: Identity.fromSeed('donor'),
      swarm,
      values,
      executor: new MemoryExecutor(),
      jobs: (id) => (id === spec.id ? index : undefined),
      clock,
      workers: 2,
      random: () => prng.real53(random),
      onError: (error) => errors.push(error),
    })
    donor.start()
    await clock.runUntil(() => index.openCount() === 1, 60_000)
    await clock.runUntil(() => false, clock.now() + 20_000).catch(() => {})
    donor.stop()
    expect([...job.reports.keys()].filter((key) => key.startsWith('0/'))).toEqual([])
    // Reports written in packs too (`report-packs.ts`): the index reads those.
    expect(index.reports('0')).toEqual([])
    expect(index.reports('1')).toHaveLength(1)
    expect(swarm.cached(forged.key)).toBeUndefined()
    for (let i = 1; i < 20; i++) {
      const cached = swarm.cached((index.task(String(i)) as TaskRecord).key)
      expect(cached?.kind === 'value' ? await values.get(cached.result) : undefined).toBe(i)
    }
    expect(errors).toEqual([])
    expect(rejections).toEqual([])
  })
})
