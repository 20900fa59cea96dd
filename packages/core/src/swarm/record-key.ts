import type { TaskKey } from '../ids.ts'
import type { TaskId } from './schema.ts'

/** `task/peer` or `task/attempt`: a key without its slash names no task. */
export function splitRecordKey(key: string): [TaskId, string] {
  const slash = key.indexOf('/')
  return slash === -1 ? ['', ''] : [key.slice(0, slash), key.slice(slash + 1)]
}

/** Record keys that arrived before their task, per task: they are checked against its key, so they wait for it. */
export class WaitingKeys {
  readonly #byTask = new Map<TaskId, Set<string>>()

  add(task: TaskId, key: string): void {
    const keys = this.#byTask.get(task)
    if (keys === undefined) this.#byTask.set(task, new Set([key]))
    else keys.add(key)
  }

  /** The keys waiting for `task`, which no longer wait. */
  take(task: TaskId): Iterable<string> {
    const keys = this.#byTask.get(task)
    this.#byTask.delete(task)
    return keys ?? []
  }
}

/** The keys of a pack's tasks, in order, if every task's record is here (a pack is checked against all of them). */
export function keysOfTasks(tasks: readonly TaskId[], keyOf: (task: TaskId) => TaskKey | undefined): TaskKey[] | undefined {
  const keys: TaskKey[] = []
  for (const task of tasks) {
    const key = keyOf(task)
    if (key === undefined) return undefined
    keys.push(key)
  }
  return keys
}
