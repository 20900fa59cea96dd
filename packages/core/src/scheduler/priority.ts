import type { TaskKey } from '../ids.ts'
import { MAX_TASK_PRIORITY, type TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'
import { taskPhase } from './task-phase.ts'

/** One call of a graph as its submitter knows it: its key, and the keys its arguments link to. */
export interface GraphNode {
  readonly key: TaskKey
  readonly deps: readonly TaskKey[]
}

/**
 * Each key's critical-path length in the graph: the longest chain of tasks
 * that wait on it, counted in tasks (0 for a task nothing here waits on),
 * capped at `MAX_TASK_PRIORITY`. numpywren runs the longest remaining chain
 * first because every other ready task can fill idle workers later, while a
 * chain link started late delays the end by its own time. Links to keys
 * outside the graph are ignored: their tasks were published already. A key
 * added twice is one task, with the union of its dependencies. Linear in the
 * graph's size; a key hashes the keys it links to, so there is no cycle.
 */
export function criticalPaths(nodes: readonly GraphNode[]): Map<TaskKey, number> {
  const deps = new Map<TaskKey, Set<TaskKey>>()
  for (const { key, deps: links } of nodes) {
    let set = deps.get(key)
    if (set === undefined) deps.set(key, (set = new Set()))
    for (const dep of links) set.add(dep)
  }
  // Kahn's order from the sinks: a key is final once every task that waits on it is.
  const waitingOn = new Map<TaskKey, number>()
  for (const set of deps.values()) for (const dep of set) if (deps.has(dep)) waitingOn.set(dep, (waitingOn.get(dep) ?? 0) + 1)
  const length = new Map<TaskKey, number>()
  const final = [...deps.keys()].filter((key) => !waitingOn.has(key))
  while (final.length > 0) {
    const key = final.pop() as TaskKey
    const below = (length.get(key) ?? 0) + 1
    for (const dep of deps.get(key) as Set<TaskKey>) {
      if (!deps.has(dep)) continue
      if (below > (length.get(dep) ?? 0)) length.set(dep, below)
      const left = (waitingOn.get(dep) as number) - 1
      waitingOn.set(dep, left)
      if (left === 0) final.push(dep)
    }
  }
  for (const [key, value] of length) if (value > MAX_TASK_PRIORITY) length.set(key, MAX_TASK_PRIORITY)
  return length
}

/** Per view: each task's priority as its record first stated it, and whether any is above 0. */
interface Known {
  readonly priorities: Map<TaskId, number>
  any: boolean
}
const seen = new WeakMap<JobView, Known>()
function knownOf(view: JobView): Known {
  let known = seen.get(view)
  if (known === undefined) seen.set(view, (known = { priorities: new Map(), any: false }))
  return known
}

/**
 * A task's priority as its record first stated it, remembered per view: a
 * record's priority never changes for its writer, the scheduler reads it on
 * every claim, and a later overwrite by another writer of the job's document
 * is ignored rather than let it reorder tasks already ranked.
 */
export function priorityOf(view: JobView, task: TaskId): number {
  const known = knownOf(view)
  let priority = known.priorities.get(task)
  if (priority === undefined) {
    const record = view.task(task)
    // A record not here yet is read again next time.
    if (record === undefined) return 0
    priority = record.priority ?? 0
    known.priorities.set(task, priority)
    if (priority > 0) known.any = true
  }
  return priority
}

/**
 * The job's open tasks in the order to try claiming them: highest priority
 * first; among equals, from `startAt` round the queue, so that peers spread
 * over it instead of colliding at its head. Without priorities, that rotation
 * alone (`prioritized` false), and once every record was read, without
 * reading them again: most jobs have none.
 */
export function claimOrder(view: JobView, startAt = 0): { tasks: TaskId[]; prioritized: boolean } {
  const open = [...view.openTasks()]
  if (open.length === 0) return { tasks: open, prioritized: false }
  const start = ((Math.floor(startAt) % open.length) + open.length) % open.length
  const rotated = start === 0 ? open : open.slice(start).concat(open.slice(0, start))
  const known = knownOf(view)
  if (!known.any && known.priorities.size >= view.spec.taskCount) return { tasks: rotated, prioritized: false }
  const priorities = new Float64Array(rotated.length)
  let prioritized = false
  for (let i = 0; i < rotated.length; i++) {
    const priority = priorityOf(view, rotated[i] as TaskId)
    if (priority > 0) prioritized = true
    priorities[i] = priority
  }
  if (!prioritized) return { tasks: rotated, prioritized }
  // Positions, not tasks, are sorted (ties by position keep the rotation): a comparator over two typed-array reads.
  const positions = Array.from(rotated.keys()).sort((a, b) => (priorities[b] as number) - (priorities[a] as number) || a - b)
  return { tasks: positions.map((i) => rotated[i] as TaskId), prioritized }
}

/**
 * The priority of the job's most urgent task that could be claimed now
 * (queued, and not `blocked`); -1 when none can; 0, unscanned, for a job
 * without priorities. One pass, no sort: a task is looked at closely only
 * when it would beat the best found so far.
 */
export function readyPriority(view: JobView, now: number, blocked: (task: TaskId) => boolean, skewMs = 0): number {
  const known = knownOf(view)
  if (!known.any && known.priorities.size >= view.spec.taskCount) return 0
  let best = -1
  for (const task of view.openTasks()) {
    const priority = priorityOf(view, task)
    if (priority <= best) continue
    if (taskPhase(view, task, now, { skewMs }).phase === 'queued' && !blocked(task)) best = priority
  }
  return known.any ? best : Math.min(best, 0)
}

/**
 * Open jobs in the order a donor claims from them: the one with the most
 * urgent ready task first. A graph is published as one job per function, so
 * its critical path runs through several jobs, and a donor claiming job by
 * job in document order would fill its queue from whichever came first.
 * A priority is its submitter's word about its own graph, so it ranks that
 * submitter's jobs among themselves only: each submitter's jobs keep the
 * places they hold in `open`, and are reordered within them (stably, so
 * jobs without priorities keep their order). A job whose tasks all state a
 * huge priority gains nothing over another submitter's.
 */
export function jobsByPriority<V extends JobView>(open: readonly V[], now: number, blocked: (view: V, task: TaskId) => boolean, skewMs = 0): V[] {
  const bySubmitter = new Map<string, V[]>()
  for (const view of open) {
    const jobs = bySubmitter.get(view.spec.submittedBy)
    if (jobs === undefined) bySubmitter.set(view.spec.submittedBy, [view])
    else jobs.push(view)
  }
  if (bySubmitter.size === open.length) return [...open]
  const ranked = new Map<string, V[]>()
  for (const [submitter, jobs] of bySubmitter) {
    if (jobs.length < 2) {
      ranked.set(submitter, jobs)
      continue
    }
    const tops = jobs.map((view) => ({ view, top: readyPriority(view, now, (task) => blocked(view, task), skewMs) }))
    ranked.set(submitter, tops.sort((a, b) => b.top - a.top).map(({ view }) => view))
  }
  const next = new Map<string, number>()
  return open.map((view) => {
    const at = next.get(view.spec.submittedBy) ?? 0
    next.set(view.spec.submittedBy, at + 1)
    return (ranked.get(view.spec.submittedBy) as V[])[at] as V
  })
}
