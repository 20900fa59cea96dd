import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addressOf,
  addTasks,
  asJobId,
  definePure,
  encodeAndAddress,
  INLINE_VALUE_LIMIT,
  JobDoc,
  JobIndex,
  loadTaskArgs,
  MAX_TRANSACTION_BYTES,
  MemoryBlobStore,
  submitJob,
  SwarmDoc,
  TASK_PACK_SIZE,
  taskKeyOf,
  taskLink,
  ValueStore,
  Identity,
  type JobSpec,
  type TaskKey,
  type TaskPack,
} from '@tessera/core'

const measure = definePure(({ text }: { text: unknown }) => JSON.stringify(text).length, { name: 'measure' })
const host = Identity.fromSeed('host')

async function published(argsList: Array<{ text: unknown }>, encoded?: Parameters<typeof submitJob>[2]['encoded']) {
  const swarm = new SwarmDoc()
  const values = new ValueStore(swarm, new MemoryBlobStore())
  const job = new JobDoc(asJobId('j'))
  const { spec } = await submitJob(swarm, values, { id: job.id, fn: measure, argsList, identity: host, now: 0, job, ...(encoded === undefined ? {} : { encoded }) })
  return { values, job, spec }
}

/** The job's document as another peer holds it: the same bytes, none of the submitter's objects. */
function replica(job: JobDoc): JobDoc {
  const copy = new JobDoc(job.id)
  Y.applyUpdate(copy.doc, Y.encodeStateAsUpdate(job.doc))
  return copy
}

const packOf = (job: JobDoc, key: string): TaskPack => job.tasks.get(key) as TaskPack

describe('task packs: a job stores its tasks as ranges', () => {
  it('writes one record per 16 tasks, and another peer derives every key and address from the arguments', async () => {
    const argsList = Array.from({ length: 70 }, (_, i) => ({ text: `call ${i}` }))
    const { values, job, spec } = await published(argsList)
    expect(TASK_PACK_SIZE).toBe(16)
    expect([...job.tasks.keys()].sort()).toEqual(['#0', '#1', '#2', '#3', '#4'])
    const index = new JobIndex(replica(job), spec)
    expect([...index.taskIds()]).toHaveLength(70)
    expect(index.openCount()).toBe(70)
    for (const [i, args] of argsList.entries()) {
      const task = index.task(String(i))!
      const { address } = encodeAndAddress(args)
      expect(task.index).toBe(i)
      expect(task.args).toBe(address)
      expect(task.key).toBe(taskKeyOf(spec.fn, address))
      expect(index.tasksWithKey(task.key)).toEqual([String(i)])
      expect(await loadTaskArgs(task, values)).toEqual(args)
    }
    expect(index.task('70')).toBeUndefined()
    expect(index.task('07')).toBeUndefined()
    expect(index.task('#0')).toBeUndefined()
  })

  it('carries large arguments as addresses, and dependencies, priorities and placement groups per task', async () => {
    const other = taskKeyOf(measure.address, addressOf({ text: 'elsewhere' }))
    const large = { text: 'x'.repeat(INLINE_VALUE_LIMIT + 10) }
    const linked = { text: { input: taskLink(other) } }
    const argsList = [{ text: 'small' }, large, linked]
    const encoded = argsList.map((args, i) => ({ ...encodeAndAddress(args), key: taskKeyOf(measure.address, encodeAndAddress(args).address), ...(i === 1 ? { priority: 3 } : {}), ...(i === 2 ? { affinity: 5 } : {}) }))
    const { values, job, spec } = await published(argsList, encoded)
    const pack = packOf(job, '#0')
    expect(pack.blobs).toEqual([1])
    expect(pack.deps).toEqual([[], [], [other]])
    const index = new JobIndex(replica(job), spec)
    const [small, big, dependent] = ['0', '1', '2'].map((id) => index.task(id)!)
    expect(small!.inlineArgs).toBeDefined()
    expect(small!.priority ?? 0).toBe(0)
    expect(big!.inlineArgs).toBeUndefined()
    expect(big!.args).toBe(encodeAndAddress(large).address)
    expect(big!.priority).toBe(3)
    expect(await loadTaskArgs(big!, values)).toEqual(large)
    expect(dependent!.deps).toEqual([other])
    expect(dependent!.affinity).toBe(5)
    expect(small!.affinity).toBeUndefined()
  })

  it('keeps every submission update within the transaction cap, with every argument inline at its cap', async () => {
    const argsList = Array.from({ length: 40 }, (_, i) => ({ text: String(i).padEnd(INLINE_VALUE_LIMIT - 9, 'x') }))
    expect(encodeAndAddress(argsList[0]).bytes.byteLength).toBe(INLINE_VALUE_LIMIT)
    const swarm = new SwarmDoc()
    const job = new JobDoc(asJobId('j'))
    const sizes: number[] = []
    job.doc.on('update', (update: Uint8Array) => sizes.push(update.byteLength))
    await submitJob(swarm, new ValueStore(swarm, new MemoryBlobStore()), { id: job.id, fn: measure, argsList, identity: host, now: 0, job })
    expect(packOf(job, '#0').blobs).toBeUndefined()
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES + 4_096)
  })

  it('costs a fraction of a record per task in the document', async () => {
    const argsList = Array.from({ length: 2_000 }, (_, i) => ({ text: i }))
    const { job } = await published(argsList)
    const perTask = Y.encodeStateAsUpdate(job.doc).byteLength / argsList.length
    // A record per task cost about 200 B (its index, key, address and inline bytes); the pack, the inline bytes.
    expect(perTask).toBeLessThan(30)
  })

  describe('a hostile pack yields nothing, and never throws', () => {
    const hostile: Array<[string, (pack: TaskPack, spec: JobSpec) => [string, unknown]]> = [
      ['one task short of its range', (pack) => ['#0', { ...pack, args: pack.args.slice(1) }]],
      ['one task over its range', (pack) => ['#0', { ...pack, args: [...pack.args, pack.args[0]] }]],
      ['a blob position naming no address', (pack) => ['#0', { ...pack, blobs: [2] }]],
      ['a blob position twice', (pack) => ['#0', { ...pack, args: pack.args.map((a, i) => (i < 2 ? addressOf({ i }) : a)), blobs: [0, 0] }]],
      ['a blob position past the pack', (pack) => ['#0', { ...pack, blobs: [TASK_PACK_SIZE + 3] }]],
      ['inline bytes that are not base64', (pack) => ['#0', { ...pack, args: ['not base64!', ...pack.args.slice(1)] }]],
      ['inline bytes over the cap', (pack) => ['#0', { ...pack, args: [Buffer.alloc(INLINE_VALUE_LIMIT + 3).toString('base64'), ...pack.args.slice(1)] }]],
      ['dependencies misaligned with the tasks', (pack) => ['#0', { ...pack, deps: [[]] }]],
      ['a dependency that is no task key', (pack) => ['#0', { ...pack, deps: pack.args.map(() => ['nope']) }]],
      ['a priority out of range', (pack) => ['#0', { ...pack, priority: pack.args.map(() => -2) }]],
      ['not an object', () => ['#0', 'a string']],
    ]
    for (const [what, forge] of hostile) {
      it(what, async () => {
        const argsList = Array.from({ length: 40 }, (_, i) => ({ text: `call ${i}` }))
        const { job, spec } = await published(argsList)
        const copy = replica(job)
        const [key, forged] = forge(packOf(copy, '#0'), spec)
        copy.transact(() => copy.doc.getMap('tasks').set(key, forged))
        const index = new JobIndex(replica(copy), spec)
        expect(index.task('0')).toBeUndefined()
        expect(index.task(String(TASK_PACK_SIZE - 1))).toBeUndefined()
        // The next range is untouched.
        expect([...index.taskIds()].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 - TASK_PACK_SIZE }, (_, i) => TASK_PACK_SIZE + i))
      })
    }

    it('keys outside the job, or spelled otherwise, are nobody’s range', async () => {
      const argsList = Array.from({ length: 40 }, (_, i) => ({ text: `call ${i}` }))
      const { job, spec } = await published(argsList)
      const copy = replica(job)
      const pack = packOf(copy, '#1')
      copy.transact(() => {
        copy.doc.getMap('tasks').delete('#1')
        copy.doc.getMap('tasks').set('#01', pack as never)
        // Past the job's last range (40 tasks: #0 to #2).
        copy.doc.getMap('tasks').set('#3', pack as never)
      })
      const index = new JobIndex(replica(copy), spec)
      expect([...index.taskIds()]).toHaveLength(40 - TASK_PACK_SIZE)
      expect(index.task('20')).toBeUndefined()
      expect(index.task('50')).toBeUndefined()
    })
  })

  it('a task record of its own is read before its pack, as older submitters wrote them', async () => {
    const argsList = Array.from({ length: 3 }, (_, i) => ({ text: `call ${i}` }))
    const { job, spec } = await published(argsList)
    const copy = replica(job)
    const replacement = encodeAndAddress({ text: 'replaced' })
    copy.transact(() => addTasks(copy, [{ index: 1, key: taskKeyOf(spec.fn, replacement.address), args: replacement.address }]))
    const index = new JobIndex(replica(copy), spec)
    expect(index.task('1')?.args).toBe(replacement.address)
    expect(index.task('2')?.args).toBe(encodeAndAddress(argsList[2]).address)
  })

  it('opens the tasks of a pack that arrives later, and drops those of a pack overwritten with junk', async () => {
    const argsList = Array.from({ length: 40 }, (_, i) => ({ text: `call ${i}` }))
    const { job, spec } = await published(argsList)
    const late = new JobDoc(job.id)
    const index = new JobIndex(late, spec)
    expect(index.openCount()).toBe(0)
    Y.applyUpdate(late.doc, Y.encodeStateAsUpdate(job.doc))
    expect(index.openCount()).toBe(40)
    expect(index.isFinished()).toBe(false)
    late.transact(() => late.doc.getMap('tasks').set('#1', { args: ['junk'] } as never))
    expect(index.openCount()).toBe(40 - TASK_PACK_SIZE)
    expect(index.task('20')).toBeUndefined()
    expect(index.task('35')).toBeDefined()
    expect(index.task('3')?.key).toBe(taskKeyOf(spec.fn, encodeAndAddress(argsList[3]).address) as TaskKey)
  })
})
