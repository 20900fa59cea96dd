import type { TaskRecord } from './schema.ts'

/**
 * Inline argument bytes already checked against their task's `args` address:
 * a donor reads a task twice (prefetch, then run), and a task pack's records
 * (`task-packs.ts`) take their address from these very bytes.
 */
export const verifiedInlineArgs = new WeakMap<TaskRecord, Uint8Array>()
