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
import {
  HandleLifecycle,
  HARDEN_REALM_SOURCE,
  wasmBudgetSource,
  type WasmBudgetReport,
  type WorkerHandle,
  type WorkerReply,
} from '@tessera/runtime/pool'
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
 * over the cap ends the isolate, which reports `out-of-memory`. So does a task
 * that throws after being refused WebAssembly memory past its budget
 * (`wasmBudgetSource`, as large as the heap cap), and memories earlier tasks
 * left reachable past one budget's worth get the next run a fresh isolate.
 */
export function startIsolate(options: IsolateOptions): WorkerHandle {
  const ivm = loadIsolatedVm()
  const wasmBudgetBytes = options.memoryLimitMb * 2 ** 20
  const scripts = { prelude: ISOLATE_PRELUDE_SOURCE, wasmBudget: wasmBudgetSource(wasmBudgetBytes) }
  let realm = openRealm(ivm, options, scripts)
  const life = new HandleLifecycle(() => realm.dispose())
  void realm.prepare.then(
    () => life.markReady(),
    (error: unknown) => life.crash(`the isolate could not start: ${describe(error)}`),
  )

  const failure = (error: unknown): WorkerReply | undefined => {
    if (realm.isolate.isDisposed || /memory limit/i.test(describe(error))) {
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
      // WebAssembly memories earlier tasks left reachable (kept on purpose, or not yet collected) are outside
      // the heap cap: past one budget's worth, a fresh isolate takes this run, and the old one frees them all.
      if (realm.carriedWasmBytes() > wasmBudgetBytes) {
        realm.dispose()
        try {
          realm = openRealm(ivm, options, scripts)
          await realm.prepare
        } catch (error) {
          life.crash(`a fresh isolate could not start: ${describe(error)}`)
          return pending()
        }
      }
      const current = realm
      let entry: FunctionContext
      try {
        entry = await current.contextFor(fn)
      } catch (error) {
        return failure(error) === undefined ? pending() : { kind: 'refused', error: toErrorRecord(error) }
      }
      try {
        const input = new ivm.ExternalCopy(args, { transferList: [...transfer] }).copyInto({ release: true })
        const { wasm, ...outcome } = (await entry.invoke.apply(undefined, [input], { result: { promise: true, copy: true } })) as WorkerReply & {
          readonly wasm: WasmBudgetReport
        }
        current.noteWasm(fn.address, wasm.liveBytes)
        if (wasm.refused !== undefined && outcome.kind === 'thrown') {
          // Refused a memory and did not carry on without it: like a task over the heap cap, it may fit on another donor.
          life.crash(`WebAssembly memory refused: ${wasm.refused}`, 'out-of-memory')
          return pending()
        }
        return outcome.kind === 'thrown' ? { ...outcome, error: explained(fn, outcome.error) } : outcome
      } catch (error) {
        // No account came back (a result that could not be copied out, say): assume the worst, so the next run
        // gets a fresh isolate rather than one that may hold memories nobody counted.
        current.noteWasm(fn.address, Number.POSITIVE_INFINITY)
        return failure(error) ?? pending()
      }
    },
    terminate() {
      life.end()
    },
    onCrash: (listener) => life.onCrash(listener),
  }
}

interface Realm {
  readonly isolate: ivm.Isolate
  readonly prepare: Promise<unknown>
  contextFor(fn: PureFunctionSource): Promise<FunctionContext>
  /** What this function's context reported still reachable of the WebAssembly memories charged in it. */
  noteWasm(address: Address, liveBytes: number): void
  carriedWasmBytes(): number
  dispose(): void
}

/** One isolate and its contexts, one per function address, least recently used first out. */
function openRealm(ivm: typeof import('isolated-vm'), options: IsolateOptions, scripts: { readonly prelude: string; readonly wasmBudget: string }): Realm {
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb })
  const contexts = new Map<Address, Promise<FunctionContext>>()
  const wasmLive = new Map<Address, number>()
  const prepare = Promise.all([
    isolate.compileScript(scripts.prelude),
    isolate.compileScript(scripts.wasmBudget),
    isolate.compileScript(HARDEN_REALM_SOURCE),
  ])
  // A realm replaced before it was ever used must not leave an unhandled rejection behind.
  prepare.catch(() => {})

  const contextFor = (fn: PureFunctionSource): Promise<FunctionContext> => {
    let found = contexts.get(fn.address)
    if (found !== undefined) {
      // Most recently used last, so the first entry is the one to drop.
      contexts.delete(fn.address)
      contexts.set(fn.address, found)
      return found
    }
    found = (async () => {
      const [prelude, wasmBudget, harden] = await prepare
      const context = await isolate.createContext()
      await prelude.run(context)
      await wasmBudget.run(context)
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
      // Released, its memories are garbage, but only a collection frees them: they still count until the isolate goes.
      void entry.then((old) => {
        old.invoke.release()
        old.context.release()
      }, () => {})
    }
    return found
  }

  return {
    isolate,
    prepare,
    contextFor,
    noteWasm: (address, liveBytes) => void (liveBytes > 0 ? wasmLive.set(address, liveBytes) : wasmLive.delete(address)),
    carriedWasmBytes: () => [...wasmLive.values()].reduce((sum, bytes) => sum + bytes, 0),
    dispose() {
      contexts.clear()
      if (!isolate.isDisposed) isolate.dispose()
    },
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
