import type { Execution, Executor, RunOptions } from '../../interfaces/executor.ts'
import type { KeywordArgs, PureFunctionSource } from '../../pure/define-pure.ts'
import { busyLoop, chatty, classInstance, double, fails, neverSettles, readsOuterVariable, spin, square } from '../executor-functions.ts'
import { assert, assertEqual, assertRejects, show } from './check-assert.ts'
import { skipCheck, type ContractCheck } from './contract.ts'

export interface ExecutorFixture {
  /** A fresh executor; the check closes it. */
  readonly executor: Executor
  /** Lets time pass for executors that run on a virtual clock; runs `work` to completion. Defaults to awaiting it. */
  run?<T>(work: Promise<T>): Promise<T>
  /** False for executors that cannot interrupt a synchronous endless loop on their own thread. */
  readonly stopsBusyLoops: boolean
  /** True for executors that stop runs in flight: on their signal's abort, and on `close()`. */
  readonly stopsRuns?: boolean
  /** True for executors that transfer typed-array arguments to a worker, detaching them here. */
  readonly movesArguments?: boolean
  /** True when runs on different workers overlap in time (given `workers: 2`). */
  readonly runsInParallel?: boolean
  /** False for executors that drop a run's console output (none of Tessera's should). */
  readonly capturesLogs?: boolean
  teardown?(): Promise<void>
}

/** Makes a fresh executor for each check; `workers` is 1 except where two runs must overlap. */
export type MakeExecutor = (options: { readonly workers: number }) => Promise<ExecutorFixture>

const limit: RunOptions = { timeoutMs: 5_000 }

// Every runtime the executors run in has AbortController; core's environment-neutral build declares only the signal.
const { AbortController } = globalThis as unknown as { AbortController: new () => { readonly signal: AbortSignal; abort(): void } }

interface Running {
  readonly executor: Executor
  readonly fixture: ExecutorFixture
  run(fn: PureFunctionSource, args: KeywordArgs, options?: RunOptions): Promise<Execution>
}

async function withExecutor(make: MakeExecutor, workers: number, body: (running: Running) => Promise<void>): Promise<void> {
  const fixture = await make({ workers })
  const { executor } = fixture
  const drive = <T>(work: Promise<T>): Promise<T> => (fixture.run === undefined ? work : fixture.run(work))
  try {
    await body({ executor, fixture, run: (fn, args, options = limit) => drive(executor.run(fn, args, options)) })
  } finally {
    await executor.close()
    await fixture.teardown?.()
  }
}

function expectValue(execution: Execution, expected: unknown, what: string): void {
  assert(execution.kind === 'value', `${what}: expected a value, got ${show(execution)}`)
  assertEqual(execution.value, expected, what)
}

function expectFailure(execution: Execution, kind: 'thrown' | 'timeout', name: string, what: string): void {
  assert(execution.kind === kind && execution.error.name === name, `${what}: expected ${kind} ${name}, got ${show(execution)}`)
}

/** How many of these `spin` runs overlapped another in time. */
export function overlappingRuns(spans: readonly Execution[]): number {
  const times = spans.map((s) => (s.kind === 'value' ? (s.value as number[]) : [0, 0]))
  return times.filter(([start = 0, end = 0], i) => times.some(([s = 0, e = 0], j) => j !== i && s < end && start < e)).length
}

/** What every `Executor` does: in memory, simulated, on threads, in Web Workers, in a sandbox. */
export const executorChecks: readonly ContractCheck<MakeExecutor>[] = [
  {
    name: 'runs a function on keyword arguments',
    run: (make) =>
      withExecutor(make, 1, async ({ run }) => {
        expectValue(await run(square, { x: 7 }), 49, 'square of 7')
      }),
  },
  {
    name: 'reports a thrown error with its name, message and stack, and keeps working',
    run: (make) =>
      withExecutor(make, 1, async ({ run }) => {
        const result = await run(fails, { why: 'out of range' })
        expectFailure(result, 'thrown', 'RangeError', 'a throwing function')
        assert(result.kind === 'thrown' && result.error.message === 'out of range', `message: ${show(result)}`)
        assert(result.kind === 'thrown' && typeof result.error.stack === 'string', `no stack: ${show(result)}`)
        expectValue(await run(square, { x: 3 }), 9, 'the next run')
      }),
  },
  {
    name: "keeps a run's console output with its outcome, within the caps, and only that run's",
    run: (make) =>
      withExecutor(make, 1, async ({ fixture, run }) => {
        if (fixture.capturesLogs === false) skipCheck('this executor drops console output')
        const few = await run(chatty, { lines: 1 })
        assert(few.kind === 'value', `a chatty run: ${show(few)}`)
        assertEqual(
          few.logs,
          {
            lines: [
              { stream: 'log', text: 'counting 1 {"lines":1}' },
              { stream: 'warn', text: 'a warning' },
              { stream: 'error', text: 'RangeError: an error' },
              { stream: 'log', text: 'line 0' },
            ],
            truncated: false,
          },
          'its output',
        )
        const thrown = await run(chatty, { lines: 0 })
        assert(thrown.kind === 'thrown' && thrown.logs?.lines.length === 3 && thrown.logs.lines[1]?.stream === 'warn', `a run that printed, then threw: ${show(thrown)}`)
        const many = await run(chatty, { lines: 10_000 })
        assert(many.kind === 'value' && many.logs?.truncated === true && many.logs.lines.length === 50, `capped output: ${show(many.kind === 'value' ? many.logs?.lines.length : many)}`)
        const quiet = await run(square, { x: 2 })
        assert(quiet.kind === 'value' && quiet.logs === undefined, `a quiet run after it: ${show(quiet)}`)
      }),
  },
  {
    name: 'gives a TaskTimeoutError past the time limit, and keeps working',
    run: (make) =>
      withExecutor(make, 1, async ({ run }) => {
        expectFailure(await run(neverSettles, {}, { timeoutMs: 50 }), 'timeout', 'TaskTimeoutError', 'a run that never settles')
        expectValue(await run(square, { x: 4 }), 16, 'the next run')
      }),
  },
  {
    name: 'stops a synchronous endless loop at the time limit, and runs the next task',
    run: (make) =>
      withExecutor(make, 1, async ({ fixture, run }) => {
        if (!fixture.stopsBusyLoops) skipCheck('this executor cannot interrupt its own thread')
        // A first run starts the worker, so the time below is the loop's alone.
        await run(square, { x: 1 })
        const started = performance.now()
        const result = await run(busyLoop, {}, { timeoutMs: 200 })
        const waited = performance.now() - started
        expectFailure(result, 'timeout', 'TaskTimeoutError', 'an endless loop')
        assert(waited >= 190 && waited < 1_000, `stopped after ${waited.toFixed(0)} ms, expected about 200`)
        expectValue(await run(square, { x: 5 }), 25, 'the next run')
      }),
  },
  {
    name: 'passes typed arrays in and out, moving the argument buffer if it transfers',
    run: (make) =>
      withExecutor(make, 1, async ({ fixture, run }) => {
        const v = new Float64Array([1.5, -2])
        const result = await run(double, { v })
        expectValue(result, new Float64Array([3, -4]), 'doubled')
        assert(result.kind === 'value' && result.value instanceof Float64Array, `the result is not a Float64Array: ${show(result)}`)
        if (fixture.movesArguments === true) {
          assert(v.buffer.byteLength === 0, `the argument buffer was copied, not moved: ${v.buffer.byteLength} bytes left`)
        }
      }),
  },
  {
    name: 'reports a result that cannot be encoded as an EncodingError',
    run: (make) =>
      withExecutor(make, 1, async ({ run }) => {
        expectFailure(await run(classInstance, {}), 'thrown', 'EncodingError', 'a class instance')
      }),
  },
  {
    name: 'reports a function that reads outer variables as NotSelfContainedError when it runs',
    run: (make) =>
      withExecutor(make, 1, async ({ run }) => {
        const result = await run(readsOuterVariable(), { x: 1 })
        expectFailure(result, 'thrown', 'NotSelfContainedError', 'a leaky function')
        assert(result.kind === 'thrown' && result.error.message.includes('someOuterVariable'), `the message does not name the variable: ${show(result)}`)
      }),
  },
  {
    name: 'refuses source that does not match its address',
    run: (make) =>
      withExecutor(make, 1, async ({ run }) => {
        const forged: PureFunctionSource = { name: square.name, address: square.address, source: '({ x }) => x + 1' }
        await assertRejects(run(forged, { x: 2 }), 'AddressError', 'a forged source')
      }),
  },
  {
    name: 'stops a run when its signal aborts, and keeps working',
    run: (make) =>
      withExecutor(make, 1, async ({ fixture, run }) => {
        if (fixture.stopsRuns !== true) skipCheck('this executor does not stop runs in flight')
        await run(square, { x: 1 })
        const controller = new AbortController()
        const endless = fixture.stopsBusyLoops ? busyLoop : neverSettles
        const running = run(endless, {}, { timeoutMs: 30_000, signal: controller.signal })
        setTimeout(() => controller.abort(), 100)
        await assertRejects(running, 'CancelledError', 'an aborted run')
        expectValue(await run(square, { x: 6 }), 36, 'the next run')
      }),
  },
  {
    name: 'runs tasks on two workers at once',
    run: (make) =>
      withExecutor(make, 2, async ({ fixture, run }) => {
        if (fixture.runsInParallel !== true) skipCheck('this executor runs one task at a time')
        // The second worker may still be starting on a busy machine, and the first then takes every run:
        // a few rounds give it time, and a single-threaded executor still never overlaps two.
        const rounds: Execution[][] = []
        for (let round = 0; round < 4; round++) {
          const spans = await Promise.all([1, 2, 3, 4].map(() => run(spin, { ms: 150 })))
          rounds.push(spans)
          if (overlappingRuns(spans) >= 2) return
        }
        assert(false, `no two runs overlapped in ${rounds.length} rounds: ${show(rounds)}`)
      }),
  },
  {
    name: 'close() rejects running and queued runs, and refuses later ones',
    run: (make) =>
      withExecutor(make, 1, async ({ executor, fixture, run }) => {
        if (fixture.stopsRuns !== true) skipCheck('this executor does not stop runs in flight')
        await run(square, { x: 1 })
        const endless = fixture.stopsBusyLoops ? busyLoop : neverSettles
        const runs = [run(endless, {}, { timeoutMs: 30_000 }), run(endless, {}, { timeoutMs: 30_000 }), run(square, { x: 2 })]
        const rejected = runs.map((running, i) => assertRejects(running, 'ExecutorClosedError', `run ${i} in flight at close()`))
        await executor.close()
        await Promise.all(rejected)
        await assertRejects(run(square, { x: 1 }), 'ExecutorClosedError', 'a run after close()')
      }),
  },
]
