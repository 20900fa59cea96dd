import { randomBytes } from 'node:crypto'
import { encodeAndAddress, taskKeyOf, type KeywordArgs } from '@tessera/core'
import { formatTaskRef, type Progress, type Swarm } from '@tessera/runtime'
import { ApiBusyError, ApiInputError } from './api-errors.ts'
import { jsonText } from './json-value.ts'
import type { Submission } from './submission.ts'

/** One call's outcome as the API reports it; a value over the cap is left out (read it by `ref`). */
export interface ApiResult {
  readonly index: number
  readonly ref: string
  readonly ok: boolean
  readonly value?: unknown
  readonly valueOmitted?: true
  readonly error?: { readonly name: string; readonly message: string }
}

export type ApiJobState = 'running' | 'done' | 'failed' | 'cancelled'

export interface ApiJobEvents {
  progress(progress: Progress): void
  result(result: ApiResult): void
  end(summary: ApiJobSummary): void
}

export interface ApiJobSummary {
  readonly id: string
  readonly room: string
  readonly name: string
  readonly state: ApiJobState
  readonly createdAt: number
  readonly progress: Progress
  readonly error?: { readonly name: string; readonly message: string }
}

export const API_JOB_LIMITS = { maxRunning: 16, maxKept: 200, maxInlineValueChars: 64 * 1024 } as const

/** A batch an HTTP client submitted: followed here, its outcomes kept in memory for readers and event streams. */
export class ApiJob {
  readonly id = randomBytes(16).toString('hex')
  readonly createdAt = Date.now()
  readonly refs: readonly string[]
  readonly results: ApiResult[] = []
  readonly listeners = new Set<ApiJobEvents>()
  state: ApiJobState = 'running'
  progress: Progress
  error: ApiJobSummary['error']
  readonly #abort = new AbortController()

  constructor(
    readonly submission: Submission,
    refs: readonly string[],
    /** The room's workers when it was submitted: a client's first event says so before the batch reports. */
    workers: number,
  ) {
    this.refs = refs
    this.progress = { done: 0, total: submission.args.length, cached: 0, failed: 0, running: 0, workers }
  }

  summary(): ApiJobSummary {
    const { room, name } = this.submission
    return { id: this.id, room, name, state: this.state, createdAt: this.createdAt, progress: this.progress, ...(this.error === undefined ? {} : { error: this.error }) }
  }

  cancel(): boolean {
    if (this.state !== 'running') return false
    this.#abort.abort()
    return true
  }

  /** Follows the batch to its end; never rejects (the outcome is the job's state). */
  async follow(run: (signal: AbortSignal, onProgress: (p: Progress) => void, onResult: (r: Omit<ApiResult, 'ref'>) => void) => Promise<void>): Promise<void> {
    const emit = <K extends keyof ApiJobEvents>(event: K, data: Parameters<ApiJobEvents[K]>[0]): void => {
      for (const listener of this.listeners) (listener[event] as (d: typeof data) => void)(data)
    }
    try {
      await run(
        this.#abort.signal,
        (progress) => {
          this.progress = progress
          emit('progress', progress)
        },
        (outcome) => {
          const result = { ...outcome, ref: this.refs[outcome.index] ?? '' }
          this.results.push(result)
          emit('result', result)
        },
      )
      this.state = this.#abort.signal.aborted ? 'cancelled' : 'done'
      // Calls the cache answered may end the batch before a last progress report.
      const failed = this.results.filter((r) => !r.ok).length
      this.progress = { ...this.progress, done: this.results.length, failed, running: 0 }
    } catch (error) {
      this.state = this.#abort.signal.aborted ? 'cancelled' : 'failed'
      this.error = { name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) }
    }
    emit('end', this.summary())
    this.listeners.clear()
  }
}

/** The jobs this server submitted for HTTP clients, capped: running ones, and the most recent finished ones. */
export class ApiJobs {
  readonly #jobs = new Map<string, ApiJob>()

  get(id: string): ApiJob | undefined {
    return this.#jobs.get(id)
  }

  /** Publishes the batch in `swarm` and follows it in the background; returns at once. */
  start(swarm: Swarm, submission: Submission): ApiJob {
    const running = [...this.#jobs.values()].filter((job) => job.state === 'running').length
    if (running >= API_JOB_LIMITS.maxRunning) throw new ApiBusyError(`this server follows at most ${API_JOB_LIMITS.maxRunning} jobs at once; wait for one to end`)
    let fn
    let refs: string[]
    try {
      const { timeoutMs, quorum, adaptive } = submission.options
      fn = swarm.pureSource(submission.source, { name: submission.name, ...defined({ timeoutMs, quorum, adaptive }) })
      const address = fn.definition.address
      refs = submission.args.map((args, i) => String(formatTaskRef(undefined, undefined, taskKeyOf(address, encodeAndAddress(args, `args[${i}]`).address))))
    } catch (error) {
      // A function that does not parse, reads outer variables, or arguments that do not encode.
      throw new ApiInputError(`${(error as Error).name}: ${(error as Error).message}`, { cause: error })
    }
    const job = new ApiJob(submission, refs, swarm.status().workers)
    const { noWorkersMs, retryFailed } = submission.options
    const callOptions = { settle: true as const, ...defined({ retryFailed }), ...(noWorkersMs === undefined ? {} : { noWorkers: 'fail' as const, noWorkersMs }) }
    this.#keep(job)
    const call = fn
    void job.follow(async (signal, onProgress, onResult) => {
      for await (const settled of call.stream(submission.args as KeywordArgs[], { ...callOptions, signal, onProgress })) {
        if (settled.status === 'rejected') onResult({ index: settled.index, ok: false, error: { name: settled.error.name, message: settled.error.message } })
        else onResult({ index: settled.index, ok: true, ...inlineValue(settled.value) })
      }
    })
    return job
  }

  cancelAll(): void {
    for (const job of this.#jobs.values()) job.cancel()
  }

  #keep(job: ApiJob): void {
    this.#jobs.set(job.id, job)
    if (this.#jobs.size <= API_JOB_LIMITS.maxKept) return
    const oldest = [...this.#jobs.values()].find((j) => j.state !== 'running')
    if (oldest !== undefined) this.#jobs.delete(oldest.id)
  }
}

function inlineValue(value: unknown): { value?: unknown; valueOmitted?: true } {
  return jsonText(value).length > API_JOB_LIMITS.maxInlineValueChars ? { valueOmitted: true } : { value }
}

/** The entries that are set: options a client left out stay out (strict optional types). */
function defined<T extends Record<string, unknown>>(options: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}
