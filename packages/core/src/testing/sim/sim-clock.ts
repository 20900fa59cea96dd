import type { Clock } from '../../clock.ts'

interface Timer {
  readonly at: number
  readonly seq: number
  readonly callback: () => void
  cancelled: boolean
}

/**
 * Virtual time for the simulator. Timers fire in (time, creation) order, and
 * between two timers every pending promise continuation runs, so a run is a
 * pure function of its seed.
 */
export class SimClock implements Clock {
  #now = 0
  #seq = 0
  readonly #heap: Timer[] = []

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback, cancelled: false }
    this.#push(timer)
    return timer
  }

  clearTimeout(handle: unknown): void {
    if (handle !== undefined && handle !== null) (handle as Timer).cancelled = true
  }

  /** Runs timers until `done()` holds, or throws once virtual time passes `limitMs`. */
  async runUntil(done: () => boolean, limitMs: number): Promise<void> {
    while (!done()) {
      const timer = this.#pop()
      if (timer === undefined) throw new Error(`simulation stalled at t=${this.#now} ms: no timers left`)
      if (timer.at > limitMs) throw new Error(`simulation passed its ${limitMs} ms limit`)
      if (timer.cancelled) continue
      this.#now = timer.at
      timer.callback()
      await drainMicrotasks()
    }
  }

  #push(timer: Timer): void {
    const heap = this.#heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i] as Timer, heap[parent] as Timer)) break
      ;[heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer]
      i = parent
    }
  }

  #pop(): Timer | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l] as Timer, heap[m] as Timer)) m = l
        if (r < heap.length && before(heap[r] as Timer, heap[m] as Timer)) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m] as Timer, heap[i] as Timer]
        i = m
      }
    }
    return top
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

// Promise chains in the runtime are a few dozen hops deep at most; the queue is
// drained in a fixed order, so determinism does not depend on this count.
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 40; i++) await null
}
