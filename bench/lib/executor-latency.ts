import { definePure, type Executor, type PureFunctionSource } from '@tessera/core'
import { IsolateExecutor, ThreadExecutor } from '@tessera/host'

/** The two ways a Node host can run tasks: the sandbox, and the plain threads it replaced. */
export type ExecutorKind = 'thread' | 'isolate'

export interface ExecutorTimings {
  readonly kind: ExecutorKind
  /** Mean wall time of a trivial task awaited one at a time, in ms. */
  readonly sequentialMs: number
  /** Trivial tasks per second with all of them in flight at once on the one worker. */
  readonly inFlightPerSecond: number
  /** Mean wall time per busy task, `busyMs` each, queued on the one worker. */
  readonly busyTaskMs: number
}

export interface ExecutorSizes {
  readonly sequential: number
  readonly inFlight: number
  readonly busyTasks: number
  readonly busyMs: number
}

const OPTIONS = { timeoutMs: 10_000 }

/**
 * One worker of each executor, straight from this process: no swarm, so the
 * difference is the executor's alone (copying arguments and results in and
 * out of the isolate, against structured clone to a thread).
 */
export async function timeExecutor(kind: ExecutorKind, sizes: ExecutorSizes, tag: string): Promise<ExecutorTimings> {
  // Fresh names per run, so each executor compiles the functions itself.
  const trivial = definePure(({ x }: { x: number }) => x + 1, { name: `trivial-${kind}-${tag}` })
  const busy = definePure(
    ({ ms }: { ms: number }) => {
      const end = Date.now() + ms
      let n = 0
      while (Date.now() < end) n++
      return n > 0
    },
    { name: `busy-${kind}-${tag}` },
  )
  const executor: Executor = kind === 'thread' ? new ThreadExecutor({ workers: 1 }) : new IsolateExecutor({ workers: 1 })
  try {
    await expectValue(executor, trivial, { x: 1 })
    await expectValue(executor, busy, { ms: 1 })
    let t0 = performance.now()
    for (let i = 0; i < sizes.sequential; i++) await expectValue(executor, trivial, { x: i })
    const sequentialMs = (performance.now() - t0) / sizes.sequential
    t0 = performance.now()
    await Promise.all(Array.from({ length: sizes.inFlight }, (_, i) => expectValue(executor, trivial, { x: i })))
    const inFlightPerSecond = (sizes.inFlight * 1000) / (performance.now() - t0)
    t0 = performance.now()
    await Promise.all(Array.from({ length: sizes.busyTasks }, () => expectValue(executor, busy, { ms: sizes.busyMs })))
    const busyTaskMs = (performance.now() - t0) / sizes.busyTasks
    return { kind, sequentialMs, inFlightPerSecond, busyTaskMs }
  } finally {
    await executor.close()
  }
}

async function expectValue(executor: Executor, fn: PureFunctionSource, args: Record<string, number>): Promise<void> {
  const run = await executor.run(fn, args, OPTIONS)
  if (run.kind !== 'value') throw new Error(`${fn.name}: the executor answered ${run.kind}: ${run.error.message}`)
}
