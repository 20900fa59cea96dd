import {
  assertKeywordCall,
  CancelledError,
  encodeAndAddress,
  JobDoc,
  jobDocGuid,
  SizeLimitError,
  submitJob,
  taskKeyOf,
  type JobId,
  type JobOptions,
  type KeywordArgs,
  type PureFunction,
  type TaskKey,
  type Value,
} from '@tessera/core'
import type { JobControl } from './job-control.ts'
import type { PlannedCall } from './job-run.ts'
import { randomJobId } from './random-job-id.ts'
import type { SwarmParts } from './swarm-parts.ts'

export interface Plan<A> {
  readonly calls: PlannedCall[]
  readonly args: readonly A[]
  /** The calls not in the cache, one per distinct task key. */
  readonly uncached: Map<TaskKey, A>
  /** How many calls the cache answered. */
  readonly hits: number
}

export interface Launched {
  /** The job published for the uncached calls; undefined when the cache had them all. */
  readonly job: JobId | undefined
  /** Task id in the job for each uncached key. */
  readonly taskOf: Map<TaskKey, string>
}

/** Validates every call before anything is queued, and finds what the cache already has. */
export function planCalls<A extends KeywordArgs>(parts: SwarmParts, fn: PureFunction<A, unknown>, argsList: readonly A[]): Plan<A> {
  const calls: PlannedCall[] = []
  const uncached = new Map<TaskKey, A>()
  let hits = 0
  argsList.forEach((args, index) => {
    assertKeywordCall(fn.name, [args])
    const { bytes, address } = encodeAndAddress(args as Value, `args[${index}]`)
    if (bytes.byteLength > parts.maxValueBytes) {
      throw new SizeLimitError(`args[${index}] of "${fn.name}" encode to ${bytes.byteLength} bytes, over the ${parts.maxValueBytes}-byte cap`)
    }
    const key = taskKeyOf(fn.address, address)
    calls.push({ index, key })
    if (parts.peer.swarm.cached(key) === undefined) uncached.set(key, args)
    else hits++
  })
  return { calls, args: argsList, uncached, hits }
}

/**
 * Publishes a job for the calls the cache lacks (nothing at all when it has
 * them all), and keeps its document open here until the caller unpins it.
 */
export async function launchJob<A extends KeywordArgs>(
  parts: SwarmParts,
  control: JobControl,
  fn: PureFunction<A, unknown>,
  plan: Plan<A>,
  options: JobOptions,
): Promise<Launched> {
  const taskOf = new Map<TaskKey, string>()
  if (plan.uncached.size === 0) return { job: undefined, taskOf }
  const generation = control.generation
  const { peer, tracker, clock } = parts
  const id = parts.newJobId?.() ?? randomJobId()
  const job = new JobDoc(id, await peer.openDoc(jobDocGuid(id)))
  const argsList = [...plan.uncached.values()]
  ;[...plan.uncached.keys()].forEach((key, i) => taskOf.set(key, String(i)))
  await submitJob(peer.swarm, peer.values, { id, fn, argsList, submittedBy: peer.id, now: clock.now(), options, job })
  await tracker.pin(id)
  if (generation !== control.generation) {
    await control.cancel(id)
    tracker.unpin(id)
    throw new CancelledError('cancelled by swarm.cancel() while the job was being published')
  }
  return { job: id, taskOf }
}
