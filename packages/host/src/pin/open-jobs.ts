import { JobDoc, JobIndex, jobDocGuid, tasksInEntry, type Address, type JobEntry, type JobId } from '@tessera/core'
import type { MeshPeer } from '@tessera/mesh/node'

/**
 * The documents of the room's open jobs, which a pinning host replicates and
 * stores while the jobs run (so a task list outlives its submitter's tab too),
 * and lets go once a job is done or cancelled, as every other peer does. They
 * say which blobs a live job still needs: its function's source and its
 * tasks' arguments.
 */
export class OpenJobs {
  readonly #docs = new Map<JobId, { readonly entry: JobEntry; doc?: JobDoc }>()

  constructor(private readonly peer: MeshPeer) {}

  /** Opens the documents of jobs that are open and drops those of jobs that are not; returns when the openings are done. */
  async sync(): Promise<void> {
    const open = new Map<JobId, JobEntry>()
    for (const entry of this.peer.swarm.jobEntries()) if (entry.state === 'open') open.set(entry.id, entry)
    for (const id of [...this.#docs.keys()]) {
      if (open.has(id)) continue
      this.#docs.delete(id)
      await this.peer.dropDoc(jobDocGuid(id)).catch(() => {})
    }
    for (const [id, entry] of open) {
      if (this.#docs.has(id)) continue
      const slot: { readonly entry: JobEntry; doc?: JobDoc } = { entry }
      this.#docs.set(id, slot)
      try {
        slot.doc = new JobDoc(id, await this.peer.openDoc(jobDocGuid(id)))
      } catch {
        // Storage refused the document: the job's function is still kept, its arguments are not known here.
      }
    }
  }

  get count(): number {
    return this.#docs.size
  }

  /** Task entries their documents hold so far (replication brings them after the job's entry). */
  get tasks(): number {
    let tasks = 0
    for (const { doc } of this.#docs.values()) doc?.tasks.forEach((raw, key) => (tasks += tasksInEntry(key, raw)))
    return tasks
  }

  /** The function source and every task's arguments of each open job, as the job's signed spec binds them. */
  inputs(): Set<Address> {
    const needed = new Set<Address>()
    for (const { entry, doc } of this.#docs.values()) {
      needed.add(entry.fn)
      if (doc === undefined) continue
      // A throwaway index checks each task against the spec (its key must hash the function and arguments).
      const index = new JobIndex(doc, entry)
      try {
        for (const id of index.taskIds()) {
          const task = index.task(id)
          if (task !== undefined) needed.add(task.args)
        }
      } finally {
        index.close()
      }
    }
    return needed
  }
}
