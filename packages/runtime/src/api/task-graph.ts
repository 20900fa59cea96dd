import { criticalPaths, MAX_TASK_AFFINITY, taskKeyOf, type JobOptions, type KeywordArgs, type PureFunction, type TaskKey } from '@tessera/core'
import { prepareCall, type PreparedCall } from './launch.ts'
import type { Calls } from './calls.ts'
import type { ArgsWithRefs, SwarmFunction } from './swarm-function.ts'
import { formatTaskRef, type TaskRef } from './task-ref.ts'

/** A function as a swarm bound it: its definition and the job options its calls carry. */
export interface BoundFunction {
  readonly definition: PureFunction<KeywordArgs, unknown>
  readonly options: JobOptions
}

export interface GraphCallOptions {
  /** A placement group: calls of equal affinity prefer the same donor. */
  readonly affinity?: number
}

interface Node {
  readonly fn: BoundFunction
  readonly args: KeywordArgs
  readonly prepared: PreparedCall & { readonly key: TaskKey }
}

/**
 * A graph of calls built here and published at once (`swarm.graph()`): `add`
 * hands back each call's ref at once (its task key is computed here, from the
 * function and the arguments, refs included), so later calls can name it
 * before anything is published; `submit` publishes the lot, one job per
 * function per `MAX_TASKS_PER_JOB` calls, and returns the refs with their
 * jobs. Donors then run each call once its dependencies have results, with
 * no round trip through this host: it may leave once `submit` resolves.
 */
export class TaskGraph {
  readonly #nodes: Node[] = []
  readonly #keys = new Set<TaskKey>()
  #submitted = false

  constructor(
    private readonly bound: (fn: unknown) => BoundFunction | undefined,
    private readonly calls: Calls,
  ) {}

  get size(): number {
    return this.#nodes.length
  }

  /**
   * Adds a call of a function of this swarm (`swarm.pure(...)`); returns its
   * ref (job and task unknown until `submit`). `options.affinity`: a placement
   * group, a whole number; calls of equal affinity prefer the same donor
   * (`TaskRecord.affinity`), so the blocks they make or read stay together.
   */
  add<A extends KeywordArgs>(fn: SwarmFunction<A, unknown>, args: ArgsWithRefs<A>, options: GraphCallOptions = {}): TaskRef {
    if (this.#submitted) throw new TypeError('this graph was submitted already: start another with swarm.graph()')
    const bound = this.bound(fn)
    if (bound === undefined) throw new TypeError('graph.add takes a function of this swarm (what swarm.pure returns)')
    const call = prepareCall(bound.definition.name, args as KeywordArgs, `graph node ${this.#nodes.length}`)
    const key = taskKeyOf(bound.definition.address, call.address)
    const { affinity } = options
    if (affinity !== undefined && !(Number.isInteger(affinity) && affinity >= 0 && affinity <= MAX_TASK_AFFINITY)) throw new RangeError(`affinity must be a whole number from 0 to ${MAX_TASK_AFFINITY}, not ${affinity}`)
    const prepared = { linked: call.linked, refs: call.refs, bytes: call.bytes, address: call.address, key, ...(affinity === undefined ? {} : { affinity }) }
    this.#nodes.push({ fn: bound, args: args as KeywordArgs, prepared })
    this.#keys.add(key)
    return formatTaskRef(undefined, undefined, key)
  }

  /** Publishes every call the cache lacks; resolves with each call's ref, in the order they were added. */
  async submit(): Promise<TaskRef[]> {
    if (this.#submitted) throw new TypeError('this graph was submitted already')
    this.#submitted = true
    const groups = new Map<BoundFunction, number[]>()
    this.#nodes.forEach((node, i) => {
      const group = groups.get(node.fn)
      if (group === undefined) groups.set(node.fn, [i])
      else group.push(i)
    })
    const refs = new Array<TaskRef>(this.#nodes.length)
    const known = (key: TaskKey): boolean => this.#keys.has(key)
    // Each call's critical-path length in the graph goes with its task, so that donors run the longest chain first.
    const priorities = criticalPaths(this.#nodes.map(({ prepared }) => ({ key: prepared.key, deps: prepared.refs.map((ref) => ref.key) })))
    for (const [fn, indices] of groups) {
      const nodes = indices.map((i) => this.#nodes[i] as Node)
      const prepared = nodes.map((node) => ({ ...node.prepared, priority: priorities.get(node.prepared.key) ?? 0 }))
      const placed = await this.calls.submitMany(fn.definition, nodes.map((node) => node.args), fn.options, known, prepared)
      indices.forEach((index, i) => (refs[index] = placed[i] as TaskRef))
    }
    return refs
  }
}
