import { definePure, type Execution, type Executor, type PureFunctionSource } from '@tessera/core'
import { executorFunctions } from '@tessera/core/testing'

// The executor checks every browser worker pool passes (the contract cases, transfer, abort, two workers, close),
// shared by the WebWorkerExecutor and SandboxedExecutor pages.

/** One named check and how it went. */
export interface CheckResult {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
  readonly ms: number
}

const { square, fails, neverSettles, busyLoop, double, classInstance } = executorFunctions
export const spin = definePure(
  ({ ms }: { ms: number }) => {
    const start = Date.now()
    while (Date.now() - start < ms) {
      // keeps this worker busy
    }
    return [start, Date.now()]
  },
  { name: 'spin' },
)
const leaky = executorFunctions.readsOuterVariable()

class CheckFailed extends Error {}

export function check(condition: boolean, detail: string): void {
  if (!condition) throw new CheckFailed(detail)
}

const show = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? `${v.constructor.name}[${String(v)}]` : v))

function expectValue(execution: Execution, expected: unknown): void {
  check(execution.kind === 'value' && show(execution.value) === show(expected), `expected value ${show(expected)}, got ${show(execution)}`)
}

function expectFailure(execution: Execution, kind: 'thrown' | 'timeout', name: string): void {
  check(execution.kind === kind && execution.error.name === name, `expected ${kind} ${name}, got ${show(execution)}`)
}

async function rejection(promise: Promise<unknown>): Promise<{ name?: string; message?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new CheckFailed('expected the run to reject')
}

const limit = { timeoutMs: 5_000 }

// Each check gets a fresh executor, as each contract case does.
export const executorChecks: Record<string, (executor: Executor) => Promise<void>> = {
  'runs a function on keyword arguments': async (executor) => {
    expectValue(await executor.run(square, { x: 7 }, limit), 49)
  },
  'reports a thrown error with its name, message and stack, and keeps working': async (executor) => {
    const result = await executor.run(fails, { why: 'out of range' }, limit)
    expectFailure(result, 'thrown', 'RangeError')
    check(result.kind === 'thrown' && result.error.message === 'out of range', `message: ${show(result)}`)
    check(result.kind === 'thrown' && typeof result.error.stack === 'string', 'no stack')
    expectValue(await executor.run(square, { x: 3 }, limit), 9)
  },
  'gives a TaskTimeoutError past the time limit, and keeps working': async (executor) => {
    expectFailure(await executor.run(neverSettles, {}, { timeoutMs: 50 }), 'timeout', 'TaskTimeoutError')
    expectValue(await executor.run(square, { x: 4 }, limit), 16)
  },
  'stops a synchronous endless loop at the time limit, and runs the next task': async (executor) => {
    await executor.run(square, { x: 1 }, limit)
    const started = performance.now()
    const result = await executor.run(busyLoop, {}, { timeoutMs: 200 })
    const waited = performance.now() - started
    expectFailure(result, 'timeout', 'TaskTimeoutError')
    check(waited >= 190 && waited < 1_000, `stopped after ${waited} ms`)
    expectValue(await executor.run(square, { x: 5 }, limit), 25)
  },
  'passes typed arrays in and out, moving the argument buffer': async (executor) => {
    const v = new Float64Array([1.5, -2])
    const result = await executor.run(double, { v }, limit)
    expectValue(result, new Float64Array([3, -4]))
    check(result.kind === 'value' && result.value instanceof Float64Array, 'the result is not a Float64Array')
    check(v.buffer.byteLength === 0, `the argument buffer was copied, not moved: ${v.buffer.byteLength} bytes left`)
  },
  'reports a result that cannot be encoded as an EncodingError': async (executor) => {
    expectFailure(await executor.run(classInstance, {}, limit), 'thrown', 'EncodingError')
  },
  'reports a function that reads outer variables as NotSelfContainedError when it runs': async (executor) => {
    const result = await executor.run(leaky, { x: 1 }, limit)
    expectFailure(result, 'thrown', 'NotSelfContainedError')
    check(result.kind === 'thrown' && result.error.message.includes('someOuterVariable'), show(result))
  },
  'refuses source that does not match its address': async (executor) => {
    const forged: PureFunctionSource = { name: square.name, address: square.address, source: '({ x }) => x + 1' }
    const error = await rejection(executor.run(forged, { x: 2 }, limit))
    check(error.name === 'AddressError', `rejected with ${error.name}: ${error.message}`)
  },
  'stops a run when its signal aborts, and keeps working': async (executor) => {
    await executor.run(square, { x: 1 }, limit)
    const controller = new AbortController()
    const running = executor.run(busyLoop, {}, { timeoutMs: 30_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    const error = await rejection(running)
    check(error.name === 'CancelledError', `rejected with ${error.name}: ${error.message}`)
    expectValue(await executor.run(square, { x: 6 }, limit), 36)
  },
  'runs tasks on two workers at once': async (executor) => {
    const spans = await Promise.all([1, 2, 3, 4].map(() => executor.run(spin, { ms: 150 }, limit)))
    const overlapping = overlappingRuns(spans)
    check(overlapping >= 2, `no two runs overlapped: ${show(spans)}`)
  },
  'close() rejects running and queued runs': async (executor) => {
    await executor.run(square, { x: 1 }, limit)
    const runs = [executor.run(busyLoop, {}, { timeoutMs: 30_000 }), executor.run(busyLoop, {}, { timeoutMs: 30_000 }), executor.run(square, { x: 2 }, limit)]
    const rejected = runs.map((run) => rejection(run))
    await executor.close()
    for (const error of await Promise.all(rejected)) check(error.name === 'ExecutorClosedError', `rejected with ${error.name}`)
    check((await rejection(executor.run(square, { x: 1 }, limit))).name === 'ExecutorClosedError', 'a run after close() did not reject')
  },
}

/** How many of these `spin` runs overlapped another in time. */
export function overlappingRuns(spans: readonly Execution[]): number {
  const times = spans.map((s) => (s.kind === 'value' ? (s.value as number[]) : [0, 0]))
  return times.filter(([start = 0, end = 0], i) => times.some(([s = 0, e = 0], j) => j !== i && s < end && start < e)).length
}

/** Runs every check on a fresh executor: one worker, except where two must run at once. */
export async function runExecutorChecks(make: (workers: number) => Executor): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const [name, run] of Object.entries(executorChecks)) {
    const executor = make(name.includes('two workers') ? 2 : 1)
    const started = performance.now()
    try {
      await run(executor)
      results.push({ name, ok: true, detail: '', ms: performance.now() - started })
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      results.push({ name, ok: false, detail, ms: performance.now() - started })
    } finally {
      await executor.close()
    }
  }
  return results
}
