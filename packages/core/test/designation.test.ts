import { describe, expect, it } from 'vitest'
import type { PeerId } from '../src/ids.ts'
import { claimWindow, designation, stringHash, type Designation } from '../src/scheduler/designation.ts'
import type { JobView } from '../src/scheduler/job-view.ts'
import type { Claim, Failure, Report, TaskId } from '../src/swarm/schema.ts'

/** Just what designation reads of a job: its reports, claim and failures per task, and subjects (each peer its own). */
function view(quorum: number, reports: Record<string, string[]> = {}, claims: Record<string, string> = {}): JobView {
  return {
    spec: { id: 'job', quorum } as JobView['spec'],
    reports: (task: TaskId) => (reports[task] ?? []).map((peer) => ({ peer }) as unknown as Report),
    claim: (task: TaskId) => (claims[task] === undefined ? undefined : ({ peer: claims[task] } as unknown as Claim)),
    failures: (): Failure[] => [],
    subjectOf: (peer: PeerId) => peer,
  } as unknown as JobView
}

const subjects = Array.from({ length: 20 }, (_, i) => `subject-${i}`)
const candidates = new Map(subjects.map((s) => [s, stringHash(s)]))
const tasks = Array.from({ length: 4000 }, (_, i) => String(i))

describe('rendezvous designation of replicas', () => {
  it('designates each subject for about its share of replicas, whoever asks, and exactly `needed` subjects per task', () => {
    const job = view(2)
    const designated = new Map<string, number>()
    for (const task of tasks) {
      const top = subjects.filter((s) => designation(job, task, s, candidates).rank < 2)
      expect(top).toHaveLength(2)
      for (const s of top) designated.set(s, (designated.get(s) ?? 0) + 1)
    }
    // 4,000 tasks × 2 replicas / 20 subjects = 400 each; binomial s.d. about 19.
    for (const s of subjects) expect(Math.abs((designated.get(s) ?? 0) - 400)).toBeLessThan(80)
  })

  it('pairs two given subjects on a task as often as a random draw: both in the top 2 about 2/(20·19) of tasks', () => {
    const job = view(2)
    const together = tasks.filter((t) => designation(job, t, 'subject-3', candidates).rank < 2 && designation(job, t, 'subject-7', candidates).rank < 2).length
    // Expected 4,000 · 2/380 = 21.
    expect(together).toBeGreaterThan(5)
    expect(together).toBeLessThan(45)
  })

  it('gives the next replica to the best-ranked subject that has not reported, nor let its claim lapse', () => {
    const first = view(2)
    const order = (job: JobView, task: string): string[] => [...subjects].sort((a, b) => designation(job, task, a, candidates).rank - designation(job, task, b, candidates).rank)
    const [a, b, c] = order(first, '17') as [string, string, string]
    const afterReport = view(2, { '17': [a] })
    expect(designation(afterReport, '17', b, candidates)).toEqual({ rank: 0, needed: 1, partner: true })
    const lapsed = view(2, { '17': [a] }, { '17': b })
    expect(designation(lapsed, '17', c, candidates).rank).toBe(0)
  })

  it('lets others in only after the grace; a replica that picks a partner gets no backup ranks', () => {
    const times = { graceMs: 1_000, openStepMs: 10_000 }
    const fresh: Designation = { rank: 0, needed: 2, partner: false }
    const partner: Designation = { rank: 0, needed: 1, partner: true }
    expect([claimWindow(fresh, 999, times), claimWindow(fresh, 1_000, times), claimWindow(fresh, 11_000, times)]).toEqual([2, 4, 5])
    expect([claimWindow(partner, 1_000, times), claimWindow(partner, 2_999, times), claimWindow(partner, 3_000, times)]).toEqual([1, 1, 2])
  })
})
