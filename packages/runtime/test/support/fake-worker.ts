import type { KeywordArgs, PureFunctionSource } from '@tessera/core'
import { createWorkerRunner, type WorkerHandle, type WorkerReply } from '../../src/pool/index.ts'

export interface SentRun {
  readonly fn: PureFunctionSource
  readonly args: KeywordArgs
  readonly transfer: readonly ArrayBuffer[]
  reply(reply: WorkerReply): void
  /** Answers as a real worker would, by running the function in this thread. */
  runHere(): Promise<void>
}

/** An in-process `WorkerHandle` the test drives by hand: when it starts, what it answers, when it dies. */
export class FakeWorker implements WorkerHandle {
  readonly ready: Promise<void>
  readonly sent: SentRun[] = []
  terminated = false
  readonly #answerHere: boolean
  readonly #runner = createWorkerRunner()
  #markReady!: () => void
  #crash: ((reason: string) => void) | undefined

  constructor(readonly id: number, options: { readonly startNow?: boolean; readonly answerHere?: boolean } = {}) {
    this.ready = new Promise((resolve) => (this.#markReady = resolve))
    this.#answerHere = options.answerHere ?? false
    if (options.startNow ?? true) this.start()
  }

  start(): void {
    this.#markReady()
  }

  run(fn: PureFunctionSource, args: KeywordArgs, transfer: readonly ArrayBuffer[]): Promise<WorkerReply> {
    return new Promise((resolve) => {
      const sent: SentRun = {
        fn,
        args,
        transfer,
        reply: resolve,
        runHere: async () => resolve((await this.#runner.run(fn, args)).reply),
      }
      this.sent.push(sent)
      if (this.#answerHere) void sent.runHere()
    })
  }

  terminate(): void {
    this.terminated = true
  }

  onCrash(listener: (reason: string) => void): void {
    this.#crash = listener
  }

  crash(reason: string): void {
    this.#crash?.(reason)
  }
}

/** A factory that keeps every worker it made, in order. */
export function fakeWorkers(options: { readonly startNow?: boolean; readonly answerHere?: boolean } = {}): {
  readonly made: FakeWorker[]
  create(): FakeWorker
} {
  const made: FakeWorker[] = []
  return {
    made,
    create: () => {
      const worker = new FakeWorker(made.length, options)
      made.push(worker)
      return worker
    },
  }
}
