import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  addTasks,
  addressOf,
  asJobId,
  deadlockedDispute,
  disputeError,
  Identity,
  JOB_DEFAULTS,
  JobDoc,
  JobIndex,
  putReport,
  QuorumError,
  taskKeyOf,
  type PeerId,
  type Report,
  type TaskKey,
} from '@tessera/core'
import { signedReport } from '@tessera/core/testing'

const IDENTITIES = ['peer-a', 'peer-b', 'peer-c'].map((name) => Identity.fromSeed(name))
const [A, B, C] = IDENTITIES.map((identity) => identity.peer) as [PeerId, PeerId, PeerId]
const FN = addressOf('fn')
const KEY: TaskKey = taskKeyOf(FN, addressOf({ i: 0 }))

/** A quorum-2 job of one task; each peer is its own subject (a JobIndex without a roster). */
function makeJob(): JobIndex {
  const id = asJobId('job-1')
  const job = new JobDoc(id, new Y.Doc())
  job.transact(() => addTasks(job, [{ index: 0, key: KEY, args: addressOf({ i: 0 }) }]))
  return new JobIndex(job, { ...JOB_DEFAULTS, id, fn: FN, name: 'fn', taskCount: 1, submittedBy: A, createdAt: 0, quorum: 2 })
}

const report = (peer: PeerId, value: unknown): Report =>
  signedReport(IDENTITIES.find((identity) => identity.peer === peer)!, KEY, { kind: 'value', result: addressOf(value) }, { durationMs: 10 })

describe('disputes no live subject can settle', () => {
  it('is one only once reports disagree and every live subject has reported', () => {
    const view = makeJob()
    putReport(view.job, '0', report(A, 1))
    // One report: nothing disagrees yet.
    expect(deadlockedDispute(view, '0', [A, B], 0)).toBeUndefined()
    putReport(view.job, '0', report(B, 2))
    expect(deadlockedDispute(view, '0', [A, B], 0)).toEqual({ task: '0', subjects: [A, B].sort(), outcomes: 2, quorum: 2 })
    // A live subject that has not reported can still settle it.
    expect(deadlockedDispute(view, '0', [A, B, C], 0)).toBeUndefined()
    // Once it agrees with one of them, the task is done, not disputed.
    putReport(view.job, '0', report(C, 1))
    expect(deadlockedDispute(view, '0', [A, B, C], 0)).toBeUndefined()
  })

  it('ends the call with a QuorumError naming the subjects and the quorum', () => {
    const error = disputeError({ task: '0', subjects: ['net:a', 'net:b'], outcomes: 2, quorum: 2 }, 10_000)
    expect(error).toBeInstanceOf(QuorumError)
    expect(error.name).toBe('QuorumError')
    expect({ subjects: error.subjects, quorum: error.quorum }).toEqual({ subjects: ['net:a', 'net:b'], quorum: 2 })
    expect(error.message).toMatch(/no 2 subjects agree on task 0: 2 subjects \(net:a, net:b\)/)
  })
})
