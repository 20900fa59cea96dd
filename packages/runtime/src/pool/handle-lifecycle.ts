import type { CrashCause } from './worker-handle.ts'

/**
 * The bookkeeping every `WorkerHandle` needs alike: a `ready` promise, a crash
 * reported at most once, and no crash reported after a deliberate terminate.
 */
export class HandleLifecycle {
  readonly ready: Promise<void>
  #markReady!: () => void
  #over = false
  #listener: ((reason: string, cause?: CrashCause) => void) | undefined

  constructor(private readonly onOver: () => void = () => {}) {
    this.ready = new Promise<void>((resolve) => (this.#markReady = resolve))
  }

  markReady(): void {
    this.#markReady()
  }

  crash(reason: string, cause?: CrashCause): void {
    if (this.#over) return
    this.#over = true
    this.onOver()
    this.#listener?.(reason, cause)
  }

  /** The worker was stopped on purpose: nothing more is reported. */
  end(): void {
    this.#over = true
    this.onOver()
  }

  onCrash(listener: (reason: string, cause?: CrashCause) => void): void {
    this.#listener = listener
  }
}
