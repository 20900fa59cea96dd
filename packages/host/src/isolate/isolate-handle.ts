import type ivm from 'isolated-vm'
import {
  AddressError,
  BUNDLER_HELPERS,
  explainRuntimeError,
  functionAddress,
  toErrorRecord,
  type Address,
  type ErrorRecord,
  type KeywordArgs,
  type PureFunctionSource,
} from '@tessera/core'
import { HandleLifecycle, HARDEN_REALM_SOURCE, type WorkerHandle, type WorkerReply } from '@tessera/runtime/pool'
import { invokerSource, ISOLATE_PRELUDE_SOURCE } from './isolate-prelude.ts'
import { loadIsolatedVm } from './load-sandbox.ts'

export interface IsolateOptions {
  /** The isolate's heap cap in MB; a task over it fails with a `TaskMemoryError` and the isolate is replaced. */
  readonly memoryLimitMb: number
  /** Contexts kept per isolate, one per function address, least recently used first out. */
  readonly maxContexts: number
}

interface FunctionContext {
  readonly context: ivm.Context
  readonly invoke: ivm.Reference<(args: KeywordArgs) => Promise<unknown>>
}

const HELPERS = Object.entries(BUNDLER_HELPERS)
  .map(([name, body]) => `const ${name} = ${body};`)
  .join('\n')

/**
 * One V8 isolate (isolated-vm) as a `WorkerHandle` for `WorkerPool`. Task code
 * runs in the isolate, which has no Node APIs at all: no `process`, `require`,
 * files, network or timers, whatever it reaches through `constructor` chains,
 * since the only realm it can reach is its own. Arguments go in and results come
 * out as copies, so no reference to the host's objects ever enters.
 *
 * Each function address gets its own context (a fresh global scope with its
 * own built-ins), hardened before the function is compiled: no task can change
 * what a task of another function sees. The isolate's heap is capped; a task
 * over the cap ends the isolate, which reports `out-of-memory`.
 */
export function startIsolate(options: IsolateOptions): WorkerHandle {
  const ivm = loadIsolatedVm()
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb })
  const contexts = new Map<Address, Promise<FunctionContext>>()
  const life = new HandleLifecycle(() => {
    contexts.clear()
    if (!isolate.isDisposed) isolate.dispose()
  })
  const prepare = Promise.all([isolate.compileScript(ISOLATE_PRELUDE_SOURCE), isolate.compileScript(HARDEN_REALM_SOURCE)])
  void prepare.then(
    () => life.markReady(),
    (error: unknown) => life.crash(`the isolate could not start: ${describe(error)}`),
  )

  const contextFor = (fn: PureFunctionSource): Promise<FunctionContext> => {
    let found = contexts.get(fn.address)
    if (found !== undefined) {
      // Most recently used last, so the first entry is the one to drop.
      contexts.delete(fn.address)
      contexts.set(fn.address, found)
      return found
    }
    found = (async () => {
      const [prelude, harden] = await prepare
      const context = await isolate.createContext()
      await prelude.run(context)
      await harden.run(context)
      const invoke = (await context.eval(invokerSource(fn.source, HELPERS), { reference: true })) as FunctionContext['invoke']
      return { context, invoke }
    })()
    contexts.set(fn.address, found)
    // A failed compile is not kept: the next run of the address gets the same answer anew.
    found.catch(() => contexts.delete(fn.address))
    while (contexts.size > options.maxContexts) {
      const [oldest, entry] = contexts.entries().next().value as [Address, Promise<FunctionContext>]
      contexts.delete(oldest)
      void entry.then((old) => {
        old.invoke.release()
        old.context.release()
      }, () => {})
    }
    return found
  }

  const failure = (error: unknown): WorkerReply | undefined => {
    if (isolate.isDisposed || /memory limit/i.test(describe(error))) {
      // The isolate is gone: the pool replaces it, and fails the run as out of memory.
      life.crash(describe(error), 'out-of-memory')
      return undefined
    }
    return { kind: 'thrown', error: toErrorRecord(error) }
  }

  return {
    ready: life.ready,
    async run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply> {
      if (functionAddress(fn.name, fn.source) !== fn.address) {
        const error = new AddressError(`function "${fn.name}": source does not match its address ${fn.address}`)
        return { kind: 'refused', error: toErrorRecord(error) }
      }
      let entry: FunctionContext
      try {
        entry = await contextFor(fn)
      } catch (error) {
        return failure(error) === undefined ? pending() : { kind: 'refused', error: toErrorRecord(error) }
      }
      try {
        const input = new ivm.ExternalCopy(args, { transferList: [...transfer] }).copyInto({ release: true })
        const outcome = (await entry.invoke.apply(undefined, [input], { result: { promise: true, copy: true } })) as WorkerReply
        return outcome.kind === 'thrown' ? { ...outcome, error: explained(fn, outcome.error) } : outcome
      } catch (error) {
        return failure(error) ?? pending()
      }
    },
    terminate() {
      life.end()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}

/** The pool answers a run whose isolate died through `onCrash`; its reply never comes. */
function pending(): Promise<WorkerReply> {
  return new Promise(() => {})
}

/** A read of a name from outside the function shows up as a ReferenceError inside; say what it means. */
function explained(fn: PureFunctionSource, thrown: ErrorRecord): ErrorRecord {
  let error = thrown
  // isolated-vm appends the host's own frames below this line: none of the task's business, nor the swarm's.
  const boundary = error.stack?.indexOf('\n    at (<isolated-vm boundary>)') ?? -1
  if (boundary !== -1) error = { ...error, stack: (error.stack as string).slice(0, boundary) }
  if (error.name !== 'ReferenceError') return error
  const rebuilt = new ReferenceError(error.message)
  const meaning = explainRuntimeError(fn, rebuilt)
  return meaning === rebuilt ? error : toErrorRecord(meaning)
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
