import { describe, expect, it } from 'vitest'
import {
  addressOf,
  asJobId,
  asPeerId,
  definePure,
  Donor,
  hasValueRefs,
  isValueRef,
  JobDoc,
  JobIndex,
  MemoryBlobStore,
  MemoryExecutor,
  resolveValueRefs,
  submitJob,
  SwarmDoc,
  ValueStore,
  valueRef,
  type Execution,
  type Executor,
  type KeywordArgs,
  type PureFunctionSource,
  type RunOptions,
  Identity,
} from '@tessera/core'
import { SimClock } from '@tessera/core/testing'

describe('value links in task arguments', () => {
  it('recognises exactly a one-key object whose "/" is an address', () => {
    const address = addressOf('x')
    expect(isValueRef(valueRef(address))).toBe(true)
    expect(isValueRef({ '/': 'not an address' })).toBe(false)
    expect(isValueRef({ '/': address, other: 1 })).toBe(false)
    expect(isValueRef([address])).toBe(false)
    expect(hasValueRefs({ a: [1, { b: valueRef(address) }] })).toBe(true)
    expect(hasValueRefs({ a: [1, { b: address }] })).toBe(false)
  })

  it('resolves links in arrays and plain objects, but not inside the values they name', async () => {
    const values = new ValueStore(new SwarmDoc(), new MemoryBlobStore())
    const big = Float64Array.from({ length: 1000 }, (_, i) => i)
    const bigAddress = await values.put(big)
    const innerLink = valueRef(bigAddress)
    const holder = await values.put({ link: innerLink })
    const resolved = (await resolveValueRefs({ xs: [valueRef(bigAddress), null], nested: { h: valueRef(holder) }, n: 3 }, values)) as {
      xs: [Float64Array, null]
      nested: { h: { link: unknown } }
      n: number
    }
    expect(resolved.xs[0]).toBeInstanceOf(Float64Array)
    expect(Buffer.compare(Buffer.from(resolved.xs[0].buffer), Buffer.from(big.buffer))).toBe(0)
    expect(resolved.xs[1]).toBeNull()
    expect(resolved.nested.h.link).toEqual(innerLink)
    expect(resolved.n).toBe(3)
    await expect(resolveValueRefs(valueRef(addressOf('never stored')), values)).rejects.toMatchObject({ name: 'BlobNotFoundError' })
  })

  it('a donor hands the function the linked value; the task key is the link’s, so it covers the contents', async () => {
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const sum = definePure(({ xs }: { xs: Float64Array }) => xs.reduce((a, b) => a + b, 0), { name: 'sum' })
    const first = await values.put(Float64Array.from({ length: 500 }, () => 2))
    const second = await values.put(Float64Array.from({ length: 500 }, () => 3))
    const job = new JobDoc(asJobId('links'))
    const { spec } = await submitJob(swarm, values, {
      id: job.id,
      fn: sum,
      argsList: [{ xs: valueRef(first) }, { xs: valueRef(second) }],
      identity: Identity.fromSeed('host'),
      now: 0,
      job,
    })
    const index = new JobIndex(job, spec)
    const keys = ['0', '1'].map((t) => index.task(t)?.key)
    expect(keys[0]).not.toBe(keys[1])
    const donor = new Donor({ identity: Identity.fromSeed('donor'), swarm, values, executor: new MemoryExecutor(), jobs: () => index, clock, random: () => 0 })
    donor.start()
    await clock.runUntil(() => keys.every((k) => k !== undefined && swarm.cached(k) !== undefined), 10_000)
    donor.stop()
    const results = await Promise.all(
      keys.map(async (key) => {
        const entry = key === undefined ? undefined : swarm.cached(key)
        if (entry?.kind !== 'value') throw new Error(`task ${String(key)} has no cached value`)
        return values.get(entry.result)
      }),
    )
    expect(results).toEqual([1000, 1500])
  })
})

/** Runs like MemoryExecutor, but holds its second run until the test releases it. */
class HoldingExecutor implements Executor {
  readonly #inner = new MemoryExecutor()
  runs = 0
  release!: () => void
  readonly #held = new Promise<void>((resolve) => (this.release = resolve))
  async run(fn: PureFunctionSource, args: KeywordArgs, options: RunOptions): Promise<Execution> {
    if (++this.runs === 2) await this.#held
    return this.#inner.run(fn, args, options)
  }
  close(): Promise<void> {
    return this.#inner.close()
  }
}

describe('a donor fetching ahead', () => {
  it('fetches the next ready task’s linked values while its worker is busy with the current task', async () => {
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const blocks = await Promise.all([1, 2, 3, 4].map((v) => values.put(Float64Array.from({ length: 300 }, () => v))))
    const fetched = new Set<string>()
    const get = values.get.bind(values)
    values.get = async (address) => {
      fetched.add(address)
      return get(address)
    }
    const first = definePure(({ xs }: { xs: Float64Array }) => xs[0] as number, { name: 'first' })
    const job = new JobDoc(asJobId('ahead'))
    const { spec } = await submitJob(swarm, values, {
      id: job.id,
      fn: first,
      argsList: blocks.map((address) => ({ xs: valueRef(address) })),
      identity: Identity.fromSeed('host'),
      now: 0,
      job,
    })
    const index = new JobIndex(job, spec)
    const executor = new HoldingExecutor()
    const donor = new Donor({ identity: Identity.fromSeed('donor'), swarm, values, executor, jobs: () => index, clock, random: () => 0, workers: 1 })
    donor.start()
    const blocksFetched = (): number => blocks.filter((b) => fetched.has(b)).length
    // The second run is held, so the one worker is busy: the next task's block is fetched
    // anyway, and only that one (one task ahead per worker).
    await clock.runUntil(() => executor.runs === 2 && blocksFetched() === 3, 20_000)
    await clock.runUntil(() => clock.now() > 5_000, 20_000)
    expect(blocksFetched()).toBe(3)
    expect(executor.runs).toBe(2)
    executor.release()
    const keys = [...index.taskIds()].flatMap((t) => index.task(t)?.key ?? [])
    await clock.runUntil(() => keys.every((k) => swarm.cached(k) !== undefined), 20_000)
    donor.stop()
    expect(executor.runs).toBe(4)
  })

  it('reports how long a run waited for its linked values, as `fetchMs` beside `durationMs`', async () => {
    const clock = new SimClock()
    const swarm = new SwarmDoc()
    const values = new ValueStore(swarm, new MemoryBlobStore())
    const block = await values.put(Float64Array.from({ length: 300 }, () => 7))
    // The block takes 250 ms of virtual time to arrive, as from a slow peer; nothing runs meanwhile to hide it.
    const get = values.get.bind(values)
    values.get = (address) => new Promise((resolve, reject) => clock.setTimeout(() => void get(address).then(resolve, reject), 250))
    const first = definePure(({ xs }: { xs: Float64Array }) => xs[0] as number, { name: 'first' })
    const job = new JobDoc(asJobId('waited'))
    const { spec } = await submitJob(swarm, values, { id: job.id, fn: first, argsList: [{ xs: valueRef(block) }, { xs: Float64Array.of(5) }], identity: Identity.fromSeed('host'), now: 0, job })
    const index = new JobIndex(job, spec)
    const donor = new Donor({ identity: Identity.fromSeed('donor'), swarm, values, executor: new MemoryExecutor(), jobs: () => index, clock, random: () => 0, workers: 1 })
    donor.start()
    await clock.runUntil(() => index.reports('0').length > 0 && index.reports('1').length > 0, 20_000)
    donor.stop()
    expect(index.reports('0')[0]?.fetchMs).toBe(250)
    // A task with no links waits for nothing.
    expect(index.reports('1')[0]?.fetchMs).toBe(0)
  })
})
