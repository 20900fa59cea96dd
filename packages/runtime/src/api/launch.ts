import {
  type Address,
  assertKeywordCall,
  CancelledError,
  encodeAndAddress,
  forgetFailure,
  JobDoc,
  jobDocGuid,
  SizeLimitError,
  submitJob,
  UnknownTaskRefError,
  taskKeyOf,
  type CacheEntry,
  type CachePolicy,
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
import { linkTaskRefs, type TaskRef } from './task-ref.ts'
import type { SwarmParts } from './swarm-parts.ts'

export interface Plan<A> {
  readonly calls: PlannedCall[]
  readonly args: readonly A[]
  /** The calls not in the cache, one per distinct task key, as they are published. */
  readonly uncached: Map<TaskKey, PreparedCall>
  /** How many calls the cache answered. */
  readonly hits: number
  /** The entry that answered each of those, by key, as it stood when the calls were planned. */
  readonly found: ReadonlyMap<TaskKey, CacheEntry>
  /** How many cached failures `retryFailed` forgot, so that they run again. */
  readonly retried: number
  /** Whose word the cache lookups took. */
  readonly policy?: CachePolicy
}

/** One published job of a batch, and the task id in it of each call it runs. */
export interface LaunchedPart {
  readonly job: JobId
  readonly taskOf: Map<TaskKey, string>
}

export interface Launched {
  /** The jobs published for the uncached calls, oldest first; none when the cache had them all. */
  readonly parts: readonly LaunchedPart[]
}

/**
 * The most tasks one job carries. A larger batch is published as several jobs,
 * so each is admitted on its own (`admission.ts`): a donor holds only the jobs
 * it works on, a few thousand tasks each, rather than all of a huge batch or,
 * past its submitter's quota, none of it.
 */
export const MAX_TASKS_PER_JOB = 5_000

/**
 * Whether a ref in a call's arguments names a call that exists or will: the
 * cache has an outcome for its key, its job is listed, this host submitted it,
 * or `alsoKnown` (the rest of a graph being published) has it. A made-up or
 * mistyped key would otherwise leave its dependent waiting forever.
 */
function isKnownRef(parts: SwarmParts, ref: TaskRef, alsoKnown: ((key: TaskKey) => boolean) | undefined): boolean {
  const { swarm } = parts.peer
  if (alsoKnown?.(ref.key) === true || swarm.isCached(ref.key)) return true
  return ref.job !== undefined && swarm.job(ref.job) !== undefined
}

/** A call's arguments as published: refs made task links (`linkTaskRefs`), encoded and addressed. */
export interface PreparedCall {
  readonly linked: KeywordArgs
  readonly refs: readonly TaskRef[]
  readonly bytes: Uint8Array
  readonly address: Address
  /** Its task key, when computed already. */
  readonly key?: TaskKey
  /** Its critical-path length in the graph published with it (`criticalPaths`): donors claim the longest first. */
  readonly priority?: number
  /** Its placement group (`TaskRecord.affinity`), when the caller chose one. */
  readonly affinity?: number
}

export function prepareCall(fnName: string, args: KeywordArgs, rootName: string): PreparedCall {
  assertKeywordCall(fnName, [args])
  const refs: TaskRef[] = []
  const linked = linkTaskRefs(args, refs)
  const { bytes, address } = encodeAndAddress(linked as Value, rootName)
  return { linked, refs, bytes, address }
}

/**
 * Validates every call before anything is queued, and finds what the cache
 * already has. `TaskRef`s in the arguments become task links (`linkTaskRefs`)
 * before the arguments are addressed, so a call's key covers the keys of the
 * calls it depends on; `UnknownTaskRefError` for a ref to no known call.
 */
export function planCalls<A extends KeywordArgs>(
  parts: SwarmParts,
  fn: PureFunction<A, unknown>,
  argsList: readonly A[],
  policy: CachePolicy,
  retryFailed = false,
  alsoKnown?: (key: TaskKey) => boolean,
  /** The calls prepared already (`swarm.graph()` computed their keys as they were added). */
  prepared?: readonly PreparedCall[],
): Plan<A> {
  const calls: PlannedCall[] = []
  const uncached = new Map<TaskKey, PreparedCall>()
  const found = new Map<TaskKey, CacheEntry>()
  let hits = 0
  let retried = 0
  argsList.forEach((args, index) => {
    const call = prepared?.[index] ?? prepareCall(fn.name, args, `args[${index}]`)
    const unknown = call.refs.find((ref) => !isKnownRef(parts, ref, alsoKnown))
    if (unknown !== undefined) throw new UnknownTaskRefError(`args[${index}] of "${fn.name}" name ${String(unknown)}, a call no job here lists and the cache does not know`)
    const { bytes, address } = call
    if (bytes.byteLength > parts.maxValueBytes) {
      throw new SizeLimitError(`args[${index}] of "${fn.name}" encode to ${bytes.byteLength} bytes, over the ${parts.maxValueBytes}-byte cap`)
    }
    const key = call.key ?? taskKeyOf(fn.address, address)
    calls.push({ index, key })
    // A failure forgotten here is gone for every peer: the next call of these arguments runs them again.
    if (retryFailed && parts.peer.swarm.cached(key)?.kind === 'failure' && forgetFailure(parts.peer.swarm, key)) retried++
    const entry = parts.peer.swarm.cached(key, policy)
    if (entry === undefined) uncached.set(key, call)
    else {
      hits++
      found.set(key, entry)
    }
  })
  return { calls, args: argsList, uncached, hits, found, retried, policy }
}

/**
 * Publishes the calls the cache lacks as jobs of at most `MAX_TASKS_PER_JOB`
 * tasks (nothing at all when it has them all), and keeps their documents open
 * here until the caller unpins them.
 */
export async function launchJob<A extends KeywordArgs>(
  parts: SwarmParts,
  control: JobControl,
  fn: PureFunction<A, unknown>,
  plan: Plan<A>,
  options: JobOptions,
  /** `elsewhere`: for other peers only (`.remote()`), never this peer's own donor. */
  placement: 'anywhere' | 'elsewhere' = 'anywhere',
): Promise<Launched> {
  const generation = control.generation
  const { peer, tracker, clock } = parts
  const uncached = await notCompacted(parts, plan)
  const launched: LaunchedPart[] = []
  const size = Math.max(1, parts.maxTasksPerJob ?? MAX_TASKS_PER_JOB)
  for (let start = 0; start < uncached.length; start += size) {
    const slice = uncached.slice(start, start + size)
    const id = parts.newJobId?.() ?? randomJobId()
    const job = new JobDoc(id, await peer.openDoc(jobDocGuid(id)))
    const taskOf = new Map<TaskKey, string>(slice.map(([key], i) => [key, String(i)]))
    parts.launchedHere?.set(id, fn.address)
    // Marked before the job is published, so that this peer's donor never sees it as its own to run.
    if (placement === 'elsewhere') parts.runElsewhere?.add(id)
    const argsList = slice.map(([, call]) => call.linked)
    const encoded = slice.map(([key, { bytes, address, priority, affinity }]) => ({ bytes, address, key, ...(priority === undefined ? {} : { priority }), ...(affinity === undefined ? {} : { affinity }) }))
    await submitJob(peer.swarm, peer.values, { id, fn, argsList, encoded, identity: peer.identity, now: clock.now(), options, job })
    if (options.compare !== undefined) parts.referee?.compareWith(id, options.compare)
    await tracker.pin(id)
    launched.push({ job: id, taskOf })
    if (generation !== control.generation) break
  }
  if (generation !== control.generation) {
    for (const { job } of launched) {
      await control.cancel(job)
      tracker.unpin(job)
    }
    throw new CancelledError('cancelled by swarm.cancel() while the job was being published')
  }
  return { parts: launched }
}

/**
 * The plan's uncached calls less those the compacted cache answers (`cache-tree/`):
 * the document's entries were checked when planning, the tree's are looked up here,
 * once, before anything is published. Their follow-up finds them the same way (`job-run.ts`).
 */
async function notCompacted<A>(parts: SwarmParts, plan: Plan<A>): Promise<Array<[TaskKey, PreparedCall]>> {
  const uncached = [...plan.uncached]
  if (uncached.length === 0 || parts.peer.swarm.cacheTreeRoots().length === 0) return uncached
  const compacted = parts.peer.values.compacted
  const left: Array<[TaskKey, PreparedCall]> = []
  for (const call of uncached) if ((await compacted.cached(call[0], plan.policy)) === undefined) left.push(call)
  return left
}
