import type { Clock } from '@tessera/core'

interface Timer {
  readonly at: number
  readonly callback: () => void
}

/**
 * A `Clock` whose timers fire on ticks from a dedicated worker, so the donor's
 * lease renewals and claims keep their pace in a hidden tab. Where workers are
 * unavailable it falls back to the page's own timers.
 */
export class WorkerClock implements Clock {
  readonly #timers = new Set<Timer>()
  readonly #worker: Worker | undefined

  constructor() {
    try {
      this.#worker = new Worker(new URL('./clock-worker.ts', import.meta.url), { type: 'module' })
      this.#worker.onmessage = () => this.#fire()
    } catch {
      this.#worker = undefined
    }
  }

  now(): number {
    return Date.now()
  }

  setTimeout(callback: () => void, ms: number): unknown {
    if (this.#worker === undefined) return globalThis.setTimeout(callback, ms)
    const timer = { at: Date.now() + ms, callback }
    this.#timers.add(timer)
    // Short waits still go through the page's timer too: it is faster while the tab is visible.
    if (ms < 25) globalThis.setTimeout(() => this.#fire(), ms)
    return timer
  }

  clearTimeout(handle: unknown): void {
    if (this.#worker === undefined) globalThis.clearTimeout(handle as number)
    else this.#timers.delete(handle as Timer)
  }

  close(): void {
    this.#worker?.terminate()
    this.#timers.clear()
  }

  #fire(): void {
    const now = Date.now()
    for (const timer of [...this.#timers]) {
      if (timer.at > now) continue
      this.#timers.delete(timer)
      timer.callback()
    }
  }
}
