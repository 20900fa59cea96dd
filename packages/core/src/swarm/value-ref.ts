import { isAddress, isAddressSpelling } from '../address.ts'
import { isPlainObject, type Value } from '../encoding/supported-value.ts'
import type { Address } from '../ids.ts'
import type { ValueStore } from './value-store.ts'
import type { TaskKey } from '../ids.ts'

/**
 * A link to a stored value, in IPLD's own form (`{ "/": cid }`, as DAG-JSON
 * writes links). Put one in a task's arguments and the donor replaces it with
 * the value before the function runs: the arguments stay small, the value
 * travels once per peer by hash (blobs are kept where they were fetched), and
 * the task key still covers the value's contents, because the link is its hash.
 */
// A type alias, not an interface, so that a ValueRef is assignable to `Value`.
export type ValueRef = { readonly '/': Address }

export function valueRef(address: Address): ValueRef {
  return { '/': address }
}

/** Exactly a link: a plain object whose only key is "/" and whose value is an address. */
export function isValueRef(value: unknown): value is ValueRef {
  if (!isPlainObject(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === '/' && isAddress(value['/'])
}

/**
 * The arguments with every link replaced by the value it names, fetched from
 * the store (from a peer that holds it, when this one does not); with
 * `resolveTask`, every task link (`{ "/task": key }`, `task-link.ts`) too, by
 * its result's value. Links are followed in arrays and plain objects of the
 * arguments, not inside the values they name, so a stored value that happens
 * to look like a link stays as it is.
 */
export async function resolveValueRefs(value: Value, values: ValueStore, resolveTask?: (key: TaskKey) => Promise<Value>): Promise<Value> {
  if (isValueRef(value)) return values.get(value['/'])
  if (resolveTask !== undefined && isTaskLinkShaped(value)) return resolveTask(value['/task'] as TaskKey)
  if (Array.isArray(value)) return Promise.all(value.map((item: Value) => resolveValueRefs(item, values, resolveTask)))
  if (isPlainObject(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await resolveValueRefs(item as Value, values, resolveTask)] as const))
    return Object.fromEntries(entries) as Value
  }
  return value
}

// `task-link.ts` imports this module; the same test, kept here to avoid an import cycle.
function isTaskLinkShaped(value: unknown): value is { '/task': string } {
  if (!isPlainObject(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === '/task' && isAddressSpelling(value['/task'])
}

/** Whether any link appears in the arguments, so callers can skip the walk's copy when none does. */
export function hasValueRefs(value: unknown): boolean {
  if (isValueRef(value)) return true
  if (Array.isArray(value)) return value.some(hasValueRefs)
  if (isPlainObject(value)) return Object.values(value).some(hasValueRefs)
  return false
}
