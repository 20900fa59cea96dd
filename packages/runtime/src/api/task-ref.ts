import { asJobId, isAddress, isPlainObject, taskLink, type JobId, type TaskKey } from '@tessera/core'

const PREFIX = 'tessera:task:'
/** Marks refs from any copy of this module (a page may bundle two). */
const BRAND: unique symbol = Symbol.for('tessera.TaskRef') as never

/**
 * A durable name for one submitted call, and a future: its job, its place in
 * the job, and its task key, which is also its key in the result cache
 * forever. Any host turns it back into the result, at any later time
 * (`swarm.result(ref)`). Put it anywhere in another call's arguments and that
 * call depends on it: it runs once this one has a result, with the result in
 * the ref's place. `String(ref)` is the printable `tessera:task:<job>:<task>:<key>`
 * form (`-` where the job or task is unknown: a call the cache answered, or a
 * graph node not yet published); `swarm.ref(text)` reads it back.
 */
export class TaskRef {
  readonly [BRAND] = true as const

  constructor(
    readonly key: TaskKey,
    readonly job?: JobId,
    readonly task?: string,
  ) {}

  toString(): string {
    return `${PREFIX}${this.job ?? '-'}:${this.task ?? '-'}:${this.key}`
  }

  /** JSON carries the printable form. */
  toJSON(): string {
    return this.toString()
  }
}

export function isTaskRef(value: unknown): value is TaskRef {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
}

export function formatTaskRef(job: JobId | undefined, task: string | undefined, key: TaskKey): TaskRef {
  return new TaskRef(key, job, task)
}

/** A ref back from its printable form (or the ref itself); `TypeError` for anything else. */
export function parseTaskRef(ref: TaskRef | string): TaskRef {
  if (isTaskRef(ref)) return ref
  const text = String(ref)
  const parts = text.startsWith(PREFIX) ? text.slice(PREFIX.length).split(':') : []
  const [job, task, key] = parts
  if (parts.length !== 3 || job === undefined || task === undefined || key === undefined || !isAddress(key)) {
    throw new TypeError(`not a Tessera task reference: ${JSON.stringify(text)} (expected ${PREFIX}<job>:<task>:<key>)`)
  }
  return new TaskRef(String(key) as TaskKey, job === '-' ? undefined : asJobId(job), task === '-' ? undefined : task)
}

/**
 * The arguments as they are encoded and addressed: every `TaskRef` (at any
 * depth of arrays and plain objects) becomes a task link `{ "/task": key }`
 * (`@tessera/core`'s `task-link.ts`), and `refs` collects them. Unchanged (the
 * same object) when there is none, so the common call copies nothing.
 */
export function linkTaskRefs<A>(args: A, refs: TaskRef[] = []): A {
  return linkRefsIn(args, refs) as A
}

function linkRefsIn(value: unknown, refs: TaskRef[]): unknown {
  if (isTaskRef(value)) {
    refs.push(value)
    return taskLink(value.key)
  }
  if (Array.isArray(value)) {
    let items: unknown[] | undefined
    value.forEach((item: unknown, i) => {
      const linked = linkRefsIn(item, refs)
      if (linked !== item) (items ??= value.slice())[i] = linked
    })
    return items ?? value
  }
  if (isPlainObject(value)) {
    let linkedObject: Record<string, unknown> | undefined
    for (const key of Object.keys(value)) {
      const item = value[key]
      const linked = linkRefsIn(item, refs)
      // Defined, not assigned: a `__proto__` key stays a key.
      if (linked !== item) Object.defineProperty((linkedObject ??= { ...value }), key, { value: linked, enumerable: true, writable: true, configurable: true })
    }
    return linkedObject ?? value
  }
  return value
}
