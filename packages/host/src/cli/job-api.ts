import type { Swarm } from '@tessera/runtime'

/** What `tessera run` gives a job module besides the swarm. */
export interface JobContext {
  /** The arguments after `--` on the command line (`tessera run job.ts -- --tasks 50`). */
  readonly args: readonly string[]
  /** Aborted on Ctrl-C; pass it to `parallel`/`stream` (`{ signal }`) to stop early. */
  readonly signal: AbortSignal
  /** Prints a line on stderr without tearing the progress bar. */
  log(line: string): void
}

/**
 * The default export of a job module:
 *
 *     export default (async (swarm, { args }) => { ... return result }) satisfies JobModule
 *
 * `tessera run` prints what it returns (JSON when it can be).
 */
export type JobModule<R = unknown> = (swarm: Swarm, context: JobContext) => R | Promise<R>
