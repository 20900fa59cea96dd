import { asJobId, isAddress, type JobId, type TaskKey } from '@tessera/core'

/**
 * A durable, printable name for one submitted call: its job, its place in the
 * job, and its task key, which is also its key in the result cache forever. Any
 * host can turn it back into the result, at any later time.
 */
export type TaskRef = string & { readonly __taskRef: true }

const PREFIX = 'tessera:task:'

export function formatTaskRef(job: JobId | undefined, task: string | undefined, key: TaskKey): TaskRef {
  return `${PREFIX}${job ?? '-'}:${task ?? '-'}:${key}` as TaskRef
}

export function parseTaskRef(ref: string): { job: JobId | undefined; task: string | undefined; key: TaskKey } {
  const parts = ref.startsWith(PREFIX) ? ref.slice(PREFIX.length).split(':') : []
  const [job, task, key] = parts
  if (parts.length !== 3 || job === undefined || task === undefined || key === undefined || !isAddress(key)) {
    throw new TypeError(`not a Tessera task reference: ${JSON.stringify(ref)} (expected ${PREFIX}<job>:<task>:<key>)`)
  }
  return { job: job === '-' ? undefined : asJobId(job), task: task === '-' ? undefined : task, key: String(key) as TaskKey }
}
