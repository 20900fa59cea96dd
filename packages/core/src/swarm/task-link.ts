import { isAddressSpelling } from '../address.ts'
import { isPlainObject, type Value } from '../encoding/supported-value.ts'
import type { TaskKey } from '../ids.ts'
import { isValueRef } from './value-ref.ts'

/**
 * A dependency on another call, as task arguments carry it: `{ "/task": key }`,
 * the task key of the call whose result goes in its place. A value link
 * (`{ "/": address }`) names bytes that exist; a task link names a result that
 * may not exist yet, so the two forms differ in the map key itself and a donor
 * finds dependencies by structure, never by guessing from strings. The runtime
 * writes one for every `TaskRef` in a call's arguments (`@tessera/runtime`).
 *
 * Why the link is the dependency's task key and not its result's address: a
 * graph is published before any of it runs, so its results' addresses are
 * unknown then. For a pure function the key determines the result (the same
 * function of the same arguments), so a key over the dependencies' keys
 * memoizes exactly as one over their results' addresses would; each
 * dependency's own key in turn covers its inputs, down to plain values.
 * A cycle cannot be written: a key hashes the keys it links to, so a call
 * could only link to itself through a hash cycle.
 */
// A type alias, not an interface, so that a TaskLink is assignable to `Value`.
export type TaskLink = { readonly '/task': TaskKey }


export function taskLink(key: TaskKey): TaskLink {
  return { '/task': key }
}

/** Exactly a task link: a plain object whose only key is "/task" and whose value is an address. */
export function isTaskLink(value: unknown): value is TaskLink {
  if (!isPlainObject(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === '/task' && isAddressSpelling(value['/task'])
}

/**
 * The distinct task keys linked from the arguments, in the order first met:
 * in arrays and plain objects, not inside value links (which name stored
 * values, never read for links).
 */
export function taskLinksIn(value: unknown, found: TaskKey[] = [], seen = new Set<TaskKey>()): TaskKey[] {
  if (isTaskLink(value)) {
    if (!seen.has(value['/task'])) {
      seen.add(value['/task'])
      found.push(value['/task'])
    }
  } else if (Array.isArray(value)) {
    for (const item of value) taskLinksIn(item, found, seen)
  } else if (isPlainObject(value) && !isValueRef(value)) {
    for (const item of Object.values(value)) taskLinksIn(item, found, seen)
  }
  return found
}

/** What a dependency's link resolves to: its result's value, or rejects with `DependencyFailedError`. */
export type TaskResolver = (key: TaskKey) => Promise<Value>
