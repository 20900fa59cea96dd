import type { Progress } from '@tessera/runtime'

export interface ProgressLine extends Progress {
  readonly label: string
  /** Since the batch started. */
  readonly elapsedMs: number
}

/** Whole seconds, minutes and hours, as people read an ETA: 9s, 1m05s, 2h03m. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/**
 * One line of progress: `pi [#####.....] 100/200 50% 12.5 tasks/s ETA 8s cached 20`.
 * The rate counts computed tasks only: cache hits arrive at once and would
 * make the ETA of the rest look short.
 */
export function formatProgress(line: ProgressLine, barWidth = 20): string {
  const { label, done, total, cached, failed, elapsedMs } = line
  const fraction = total === 0 ? 1 : done / total
  const filled = Math.round(fraction * barWidth)
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`
  const computed = done - cached
  const seconds = elapsedMs / 1000
  const rate = seconds > 0 ? computed / seconds : 0
  const remaining = total - done
  const eta = remaining === 0 ? 'done' : rate > 0 ? `ETA ${formatDuration((remaining / rate) * 1000)}` : 'ETA ?'
  const parts = [
    label,
    bar,
    `${done}/${total}`,
    `${Math.floor(fraction * 100)}%`,
    `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} tasks/s`,
    eta,
    `cached ${cached}`,
  ]
  if (failed > 0) parts.push(`failed ${failed}`)
  // Nobody in the room can run what is left: say so instead of an ETA that never comes.
  if (line.workers === 0 && remaining > 0) parts.push('workers 0')
  return parts.join(' ')
}

export interface ProgressOutput {
  readonly isTTY?: boolean
  write(text: string): unknown
}

export interface ProgressReporterOptions {
  readonly now?: () => number
  /** Without a terminal: at most one line per label this often (the last one always). Default 3 s. */
  readonly intervalMs?: number
  /** On a terminal: redraws at most this often. Default 100 ms. */
  readonly redrawMs?: number
  /** Printed once, the first time a batch waits with no workers in the room: where to find some. */
  readonly noWorkersHint?: string
}

interface Batch {
  readonly label: string
  readonly startedAt: number
  lastPrintedAt: number
  ended: boolean
}

/**
 * Draws batches' progress on stderr: on a terminal one line redrawn in place,
 * elsewhere (CI, a pipe) a line every few seconds, so logs stay readable.
 * Also counts, over all batches, the calls done and answered from the cache.
 */
export class ProgressReporter {
  readonly #batches = new WeakMap<object, Batch>()
  readonly #now: () => number
  #drawn = false
  #hinted = false
  #lastDrawAt = -Infinity
  #totals = { done: 0, cached: 0, failed: 0 }

  constructor(
    private readonly out: ProgressOutput,
    private readonly options: ProgressReporterOptions = {},
  ) {
    this.#now = options.now ?? Date.now
  }

  /** Calls finished and from the cache, over every batch that has ended. */
  get totals(): { readonly done: number; readonly cached: number; readonly failed: number } {
    return this.#totals
  }

  /** A handle for one batch; give its `update` to `onProgress`. */
  batch(label: string): { update(progress: Progress): void } {
    const key = {}
    return { update: (progress) => this.#update(key, label, progress) }
  }

  /** Prints a line of its own without tearing the bar. */
  log(text: string): void {
    this.#clear()
    this.out.write(`${text}\n`)
  }

  /** Leaves the terminal on a fresh line. */
  finish(): void {
    if (this.#drawn) this.out.write('\n')
    this.#drawn = false
  }

  #update(key: object, label: string, progress: Progress): void {
    const now = this.#now()
    let batch = this.#batches.get(key)
    if (batch === undefined) {
      batch = { label, startedAt: now, lastPrintedAt: -Infinity, ended: false }
      this.#batches.set(key, batch)
    }
    if (batch.ended) return
    const finished = progress.done >= progress.total
    if (!finished && progress.workers === 0 && !this.#hinted && this.options.noWorkersHint !== undefined) {
      this.#hinted = true
      this.log(this.options.noWorkersHint)
    }
    const text = formatProgress({ label, ...progress, elapsedMs: now - batch.startedAt })
    if (this.out.isTTY === true) {
      if (finished || now - this.#lastDrawAt >= (this.options.redrawMs ?? 100)) {
        this.out.write(`\r\u001b[2K${text}`)
        this.#drawn = true
        this.#lastDrawAt = now
      }
      if (finished) this.finish()
    } else if (finished || now - batch.lastPrintedAt >= (this.options.intervalMs ?? 3_000)) {
      this.out.write(`${text}\n`)
      batch.lastPrintedAt = now
    }
    if (finished) {
      batch.ended = true
      this.#totals = {
        done: this.#totals.done + progress.done,
        cached: this.#totals.cached + progress.cached,
        failed: this.#totals.failed + progress.failed,
      }
    }
  }

  #clear(): void {
    if (!this.#drawn) return
    this.out.write('\r\u001b[2K')
    this.#drawn = false
  }
}
