import type { Address } from '../ids.ts'

const KEPT = 64

/**
 * How long this donor's recent runs took, overall and per function. Batch
 * sizes are per function: a graph's jobs mix functions, and a batch sized by
 * the 2 ms runs of one job's tasks would take a whole fair share of another
 * job's 500 ms tasks, leaving other donors idle (issue 18's 1 + 16 split).
 */
export class RunTimes {
  readonly #all: number[] = []
  readonly #byFunction = new Map<Address, number[]>()

  record(fn: Address, durationMs: number): void {
    push(this.#all, durationMs)
    let times = this.#byFunction.get(fn)
    if (times === undefined) {
      // Bounded: an old function's times go once many others have run since.
      if (this.#byFunction.size >= KEPT) this.#byFunction.delete(this.#byFunction.keys().next().value as Address)
      this.#byFunction.set(fn, (times = []))
    }
    push(times, durationMs)
  }

  /** Every function's, newest last. */
  get recent(): readonly number[] {
    return this.#all
  }

  /** `fn`'s alone, newest last: none until this donor has run it. */
  of(fn: Address): readonly number[] {
    return this.#byFunction.get(fn) ?? []
  }
}

function push(times: number[], durationMs: number): void {
  times.push(durationMs)
  if (times.length > KEPT) times.shift()
}
