import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addTasks,
  addressOf,
  asJobId,
  claimOrder,
  criticalPaths,
  definePure,
  encodeAndAddress,
  MemoryBlobStore,
  submitJob,
  SwarmDoc,
  ValueStore,
  Identity,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  jobsByPriority,
  MAX_TASK_AFFINITY,
  MAX_TASK_PRIORITY,
  selectClaims,
  taskKeyOf,
  type JobSpec,
  type TaskKey,
  type TaskRecord,
} from '@tessera/core'

const A = Identity.fromSeed('peer-a').peer
const B = Identity.fromSeed('peer-b').peer
const FN = addressOf('fn')
const keyOf = (i: number): TaskKey => taskKeyOf(FN, addressOf({ i }))
const k = (name: string): TaskKey => taskKeyOf(FN, addressOf(name))
/** A stand-in key, where only distinctness matters and hashing thousands would take seconds. */
const fake = (name: string): TaskKey => name as unknown as TaskKey

/** A job whose task `i` states `priorities[i]` (undefined: no field, as records written before priorities). */
function jobWith(priorities: ReadonlyArray<number | undefined | string>, id = 'job-1', submittedBy = A): JobIndex {
  const spec: JobSpec = { ...JOB_DEFAULTS, id: asJobId(id), fn: FN, name: 'fn', taskCount: priorities.length, submittedBy, createdAt: 0 }
  const job = new JobDoc(spec.id, new Y.Doc())
  job.transact(() =>
    addTasks(
      job,
      priorities.map((priority, i) => ({ index: i, key: keyOf(i), args: addressOf({ i }), ...(priority === undefined ? {} : { priority }) }) as TaskRecord),
    ),
  )
  return new JobIndex(job, spec)
}

describe('criticalPaths', () => {
  it('counts the longest chain of tasks waiting on each key, whatever order the nodes come in', () => {
    // a → b → c → d, and a → e: a has three tasks below it on its longest chain.
    const nodes = [
      { key: k('a'), deps: [] },
      { key: k('b'), deps: [k('a')] },
      { key: k('c'), deps: [k('b')] },
      { key: k('d'), deps: [k('c'), k('a')] },
      { key: k('e'), deps: [k('a')] },
    ]
    const expected = new Map([[k('a'), 3], [k('b'), 2], [k('c'), 1]])
    expect(criticalPaths(nodes)).toEqual(expected)
    expect(criticalPaths([...nodes].reverse())).toEqual(expected)
  })

  it('takes a key added twice as one task, and ignores links outside the graph', () => {
    const nodes = [
      { key: k('a'), deps: [k('published before')] },
      { key: k('b'), deps: [k('a')] },
      { key: k('a'), deps: [] },
      { key: k('c'), deps: [k('b'), k('b')] },
    ]
    expect(criticalPaths(nodes)).toEqual(new Map([[k('a'), 2], [k('b'), 1]]))
  })

  it('ranks a chain of 20,000 (linear: no recursion, no quadratic scan)', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ key: fake(`n${i}`), deps: i === 0 ? [] : [fake(`n${i - 1}`)] }))
    const lengths = criticalPaths(nodes)
    expect(lengths.get(fake('n0'))).toBe(19_999)
    expect(lengths.get(fake('n19998'))).toBe(1)
  })
})

describe('claims by priority', () => {
  it('claims the highest priority first from any start, keeping the rotation among equals', () => {
    const view = jobWith([undefined, 0, 5, undefined, 2, undefined, 5, undefined])
    expect(claimOrder(view, 0).tasks.slice(0, 3)).toEqual(['2', '6', '4'])
    expect(claimOrder(view, 3).tasks.slice(0, 3)).toEqual(['6', '2', '4'])
    // The rest in rotation from the start, as without priorities: two peers start apart and do not collide.
    expect(claimOrder(view, 5).tasks.slice(3)).toEqual(['5', '7', '0', '1', '3'])
    const claimed = (startAt: number) => selectClaims(view, { self: A, now: 0, limit: 4, leaseMs: 1_000, startAt }).decisions.map((d) => d.task)
    expect(claimed(0)).toEqual(['2', '6', '4', '0'])
    expect(claimed(7)).toEqual(['2', '6', '4', '7'])
  })

  it('leaves the order alone in a job without priorities (records written before them read as 0)', () => {
    const view = jobWith([undefined, undefined, undefined, undefined])
    expect(claimOrder(view, 2)).toEqual({ tasks: ['2', '3', '0', '1'], prioritized: false })
  })

  it('skips a blocked task of high priority, and orders jobs by their most urgent ready task', () => {
    const plain = jobWith([undefined, undefined], 'plain')
    const chain = jobWith([9, 3, undefined], 'chain')
    const low = jobWith([1, 1], 'low')
    const none = (): boolean => false
    expect(jobsByPriority([plain, low, chain], 0, none).map((v) => v.spec.id)).toEqual(['chain', 'low', 'plain'])
    // Task 0 of `chain` waits on another call: its next ready task (priority 3) still ranks it first.
    const blocked = (view: JobIndex, task: string): boolean => view === chain && task === '0'
    expect(jobsByPriority([plain, low, chain], 0, blocked).map((v) => v.spec.id)).toEqual(['chain', 'low', 'plain'])
    const allBlocked = (view: JobIndex, task: string): boolean => view === chain && task !== '2'
    expect(jobsByPriority([plain, low, chain], 0, allBlocked).map((v) => v.spec.id)).toEqual(['low', 'plain', 'chain'])
    // Another submitter's job keeps its place: priorities rank one submitter's jobs among themselves.
    const stranger = jobWith([MAX_TASK_PRIORITY], 'stranger', B)
    expect(jobsByPriority([plain, stranger, low, chain], 0, none).map((v) => v.spec.id)).toEqual(['chain', 'stranger', 'low', 'plain'])
    expect(jobsByPriority([stranger, plain], 0, none).map((v) => v.spec.id)).toEqual(['stranger', 'plain'])
    const skip = (task: string): boolean => task === '0'
    expect(selectClaims(chain, { self: A, now: 0, limit: 1, leaseMs: 1_000, skip }).decisions.map((d) => d.task)).toEqual(['1'])
  })

  it('ignores a task record whose priority is not a whole number from 0 to the cap', () => {
    const view = jobWith([MAX_TASK_PRIORITY, MAX_TASK_PRIORITY + 1, -1, 1.5, '7', 0])
    expect(view.task('0')?.priority).toBe(MAX_TASK_PRIORITY)
    for (const task of ['1', '2', '3', '4']) expect(view.task(task)).toBeUndefined()
    expect(view.task('5')?.priority).toBe(0)
  })

  it('is published as given, whole and capped; left out when 0 or not a number', async () => {
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const inc = definePure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    const argsList = [0, 1, 2, 3, 4].map((x) => ({ x }))
    const given = [7.9, MAX_TASK_PRIORITY * 3, 0, -2, Number.NaN]
    const encoded = argsList.map((args, i) => {
      const { bytes, address } = encodeAndAddress(args, 'args')
      return { bytes, address, key: taskKeyOf(inc.address, address), priority: given[i] as number }
    })
    const { spec, job } = await submitJob(swarm, values, { id: asJobId('ranked'), fn: inc, argsList, encoded, identity: Identity.fromSeed('host'), now: 0 })
    const view = new JobIndex(job, spec)
    expect(['0', '1', '2', '3', '4'].map((task) => view.task(task)?.priority)).toEqual([7, MAX_TASK_PRIORITY, undefined, undefined, undefined])
  })
  it('placement groups: published as given, refused out of range by the submitter, ignored out of range by readers', async () => {
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const inc = definePure(({ x }: { x: number }) => x + 1, { name: 'inc' })
    const submit = (affinities: ReadonlyArray<number | undefined>, id: string) => {
      const argsList = affinities.map((_, x) => ({ x }))
      const encoded = argsList.map((args, i) => {
        const { bytes, address } = encodeAndAddress(args, 'args')
        return { bytes, address, key: taskKeyOf(inc.address, address), ...(affinities[i] === undefined ? {} : { affinity: affinities[i] }) }
      })
      return submitJob(swarm, values, { id: asJobId(id), fn: inc, argsList, encoded, identity: Identity.fromSeed('host'), now: 0 })
    }
    const { spec, job } = await submit([3, undefined, MAX_TASK_AFFINITY], 'placed')
    const view = new JobIndex(job, spec)
    expect(['0', '1', '2'].map((task) => view.task(task)?.affinity)).toEqual([3, undefined, MAX_TASK_AFFINITY])
    for (const bad of [-1, 1.5, MAX_TASK_AFFINITY + 1]) await expect(submit([bad], `bad-${bad}`)).rejects.toThrow(/affinity/)
    // A record another writer put there with an affinity out of range is not a task at all.
    const forged = jobWith([0, 0])
    forged.job.transact(() => addTasks(forged.job, [{ index: 1, key: keyOf(1), args: addressOf({ i: 1 }), affinity: -4 } as TaskRecord]))
    expect(forged.task('0')).toBeDefined()
    expect(forged.task('1')).toBeUndefined()
  })
})
