import { describe, expect, it } from 'vitest'
import {
  addressOf,
  asJobId,
  definePure,
  encodeAndAddress,
  Identity,
  JobDoc,
  JobIndex,
  loadTaskArgs,
  MalformedRecordError,
  MAX_TASK_DEPS,
  MemoryBlobStore,
  submitJob,
  SwarmDoc,
  taskKeyOf,
  taskLink,
  taskLinksIn,
  isTaskLink,
  valueRef,
  ValueStore,
  type TaskKey,
  type TaskRecord,
} from '@tessera/core'

const add = definePure(({ a, b }: { a: number; b: number }) => a + b, { name: 'add' })
const keyA = taskKeyOf(addressOf('f'), addressOf('a'))
const keyB = taskKeyOf(addressOf('f'), addressOf('b'))

async function submitted(argsList: Array<Record<string, unknown>>) {
  const swarm = new SwarmDoc()
  const values = new ValueStore(swarm, new MemoryBlobStore())
  const job = new JobDoc(asJobId('j'))
  const { spec } = await submitJob(swarm, values, { id: job.id, fn: add, argsList: argsList as never, identity: Identity.fromSeed('host'), now: 0, job })
  return { values, job, index: new JobIndex(job, spec) }
}

describe('task links: a call that names other calls', () => {
  it('are exactly one-key objects whose "/task" is an address, found at any depth, each once, never inside value links', () => {
    expect(isTaskLink(taskLink(keyA))).toBe(true)
    expect(isTaskLink({ '/task': keyA, more: 1 })).toBe(false)
    expect(isTaskLink({ '/task': 'tessera:task:-:-:x' })).toBe(false)
    expect(isTaskLink({ '/': keyA })).toBe(false)
    const args = { a: taskLink(keyA), deep: [{ x: [taskLink(keyB)] }, taskLink(keyA)], stored: valueRef(addressOf('v')) }
    expect(taskLinksIn(args)).toEqual([keyA, keyB])
    expect(taskLinksIn({ a: 1, b: 'bafy' })).toEqual([])
  })

  it('are listed as the task record\'s deps, and the resolver puts each result in its link\'s place', async () => {
    const { values, index } = await submitted([{ a: taskLink(keyA), b: 2 }, { a: 1, b: 2 }])
    const dependent = index.task('0') as TaskRecord
    expect(dependent.deps).toEqual([keyA])
    expect(index.task('1')?.deps).toBeUndefined()
    const resolved = await loadTaskArgs(dependent, values, async (key: TaskKey) => (key === keyA ? 40 : Number.NaN))
    expect(resolved).toEqual({ a: 40, b: 2 })
    // Without a resolver a linked task cannot be loaded: it is not run with a link for a value.
    await expect(loadTaskArgs(dependent, values)).rejects.toBeInstanceOf(MalformedRecordError)
  })

  it('a record whose deps are not the links its arguments hold is ignored, not run', async () => {
    const { values, index } = await submitted([{ a: taskLink(keyA), b: 2 }])
    const honest = index.task('0') as TaskRecord
    const resolve = async (): Promise<number> => 1
    for (const deps of [undefined, [keyB], [keyA, keyB]]) {
      const forged = { ...honest, ...(deps === undefined ? {} : { deps }) } as TaskRecord
      if (deps === undefined) delete (forged as { deps?: unknown }).deps
      await expect(loadTaskArgs(forged, values, resolve)).rejects.toBeInstanceOf(MalformedRecordError)
    }
  })

  it('a call naming more than MAX_TASK_DEPS others is refused at submission', async () => {
    const links = Array.from({ length: MAX_TASK_DEPS + 1 }, (_, i) => taskLink(taskKeyOf(addressOf('f'), encodeAndAddress(i).address)))
    await expect(submitted([{ a: links, b: 1 }])).rejects.toThrow(`over the ${MAX_TASK_DEPS}`)
  })
})
