import type { Slot } from './write-back.ts'

interface EarlyRun<R> {
  readonly settleAt: number
  /** Decided when the settle window closed: whether the claim held. */
  held?: boolean
  /** The run's outcome, kept while the window is still open. */
  finished?: R
}

/**
 * Runs started inside the settle window (`Donor`): a worker with nothing
 * settled to run starts a task it has just claimed instead of idling through
 * the window (about 200 ms at every job's start, issue 15's item 6). The
 * outcome counts only if the claim still held when the window closed: a lost
 * claim's run is dropped unreported, and cost only time the worker would
 * have spent idle.
 */
export class EarlyRuns<R> {
  readonly #runs = new Map<Slot, EarlyRun<R>>()

  start(slot: Slot, settleAt: number): void {
    this.#runs.set(slot, { settleAt })
  }

  /**
   * A run ended: its outcome to report now (an ordinary run, or an early one
   * whose claim held), or undefined (the claim was lost, or the window is
   * still open and `settle` hands the outcome back once it closes).
   */
  finished(slot: Slot, outcome: R): R | undefined {
    const run = this.#runs.get(slot)
    if (run === undefined) return outcome
    if (run.held === undefined) {
      run.finished = outcome
      return undefined
    }
    this.#runs.delete(slot)
    return run.held ? outcome : undefined
  }

  /** A run that failed without an outcome: nothing to decide for it any more. */
  drop(slot: Slot): void {
    this.#runs.delete(slot)
  }

  /**
   * Decides the runs whose window closed by `now`: `holds` says whether the
   * claim held, `lost` is told of each that did not. Returns the outcomes of
   * finished runs whose claim held, to report now.
   */
  settle(now: number, holds: (slot: Slot) => boolean, lost: (slot: Slot) => void): R[] {
    const report: R[] = []
    for (const [slot, run] of this.#runs) {
      if (run.held !== undefined || run.settleAt > now) continue
      run.held = holds(slot)
      if (!run.held) lost(slot)
      if (run.finished === undefined) continue
      this.#runs.delete(slot)
      if (run.held) report.push(run.finished)
    }
    return report
  }
}
