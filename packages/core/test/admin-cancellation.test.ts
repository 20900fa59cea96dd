import { describe, expect, it } from 'vitest'
import {
  adminCancellationStatement,
  asJobId,
  cancelJob,
  cancelJobAsAdmin,
  checkJobEntry,
  DEFAULT_CLOCK_SKEW_MS,
  definePure,
  Identity,
  issueSubjectCertificate,
  JobDoc,
  JobIndex,
  JobOwnerError,
  markJobDone,
  MemoryBlobStore,
  submitJob,
  subjectCertificateMessage,
  SwarmDoc,
  ValueStore,
  verifyAdminCertificate,
  verifySubjectCertificate,
  type AdminTrust,
  type JobEntry,
  type SubjectCertificate,
} from '@tessera/core'
import * as prng from 'lib0/prng'
import { SimClock, SimPeer, SimulatedNetwork } from '@tessera/core/testing'
import { writeRaw } from './support/forge.ts'

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const issuer = Identity.fromSeed('admin-test issuer')
const [alice, root, mallory] = [Identity.fromSeed('alice'), Identity.fromSeed('root'), Identity.fromSeed('mallory')]
const HOUR = 3_600_000
const T0 = 1_800_000_000_000
const trust: AdminTrust = { issuers: [issuer.peer], room: 'lab' }

function certify(key: Identity, fields: { admin?: boolean; room?: string; notBefore?: number; notAfter?: number } = {}, by = issuer): SubjectCertificate {
  const notBefore = fields.notBefore ?? T0
  return issueSubjectCertificate(by, {
    peer: key.peer,
    subject: key === root ? 'ops' : 'someone',
    room: fields.room ?? 'lab',
    notBefore,
    notAfter: fields.notAfter ?? notBefore + HOUR,
    ...(fields.admin === false ? {} : { admin: true as const }),
  })
}

/** Alice's open job, created at `T0 + 10 min`, on a swarm document that trusts the lab's issuer. */
async function aliceJob(): Promise<{ swarm: SwarmDoc; job: JobDoc; entry: JobEntry }> {
  const swarm = new SwarmDoc()
  swarm.recognizeAdmins(trust)
  const job = new JobDoc(asJobId('j'))
  await submitJob(swarm, new ValueStore(swarm, new MemoryBlobStore()), { id: job.id, fn: square, argsList: [{ x: 1 }], identity: alice, now: T0 + 600_000, job })
  const entry = swarm.job(job.id)
  if (entry === undefined) throw new Error('the job was not listed')
  return { swarm, job, entry }
}

/** What a peer would write by hand: `entry` cancelled, sealed with `certificate` and signed by `signer`. */
function sealed(entry: JobEntry, certificate: unknown, signer: Identity): JobEntry {
  return { ...entry, state: 'cancelled', cancelledBy: { certificate: certificate as SubjectCertificate, sig: signer.sign(adminCancellationStatement(entry, signer.peer)) } }
}

describe('the admin flag of a subject certificate', () => {
  it('is signed: it can be neither added nor removed, and certificates without it sign the bytes they always did', () => {
    const admin = certify(root)
    expect(admin.admin).toBe(true)
    expect(verifySubjectCertificate(admin, { ...trust, room: 'lab', now: T0 })).toEqual({ ok: true, certificate: admin })
    const { admin: _, ...stripped } = admin
    expect(verifySubjectCertificate(stripped, { ...trust, room: 'lab', now: T0 })).toEqual({ ok: false, reason: 'bad signature' })
    const plain = certify(mallory, { admin: false })
    expect('admin' in plain).toBe(false)
    expect(verifySubjectCertificate({ ...plain, admin: true }, { ...trust, room: 'lab', now: T0 })).toEqual({ ok: false, reason: 'bad signature' })
    // Only `true` is a spelling of the flag.
    expect(verifySubjectCertificate({ ...plain, admin: false }, { ...trust, room: 'lab', now: T0 })).toEqual({ ok: false, reason: 'malformed' })
    const legacy = JSON.stringify(['tessera/subject-certificate@1', plain.peer, plain.subject, plain.room, plain.notBefore, plain.notAfter, issuer.peer])
    expect(new TextDecoder().decode(subjectCertificateMessage(issuer.peer, plain))).toBe(legacy)
  })

  it('counts for jobs created before the certificate expired, never for later ones', () => {
    const admin = certify(root)
    const check = (since: number, input: unknown = admin) => verifyAdminCertificate(input, { issuers: [issuer.peer], room: 'lab', peer: root.peer, since })
    expect(check(T0 - HOUR)).toEqual(admin)
    expect(check(T0 + HOUR - 1)).toEqual(admin)
    expect(check(T0 + HOUR + DEFAULT_CLOCK_SKEW_MS - 1)).toEqual(admin)
    expect(check(T0 + HOUR + DEFAULT_CLOCK_SKEW_MS)).toBeUndefined()
    expect(check(T0, certify(root, { admin: false }))).toBeUndefined()
    expect(verifyAdminCertificate(admin, { issuers: [issuer.peer], room: 'lab', peer: mallory.peer, since: T0 })).toBeUndefined()
  })
})

describe('a room admin cancels a stranger\'s job', () => {
  it('is believed by every peer that trusts the room\'s issuer, in both documents, however late it reads', async () => {
    const { swarm, job, entry } = await aliceJob()
    const index = new JobIndex(job, entry, undefined, swarm.admins)
    expect(cancelJobAsAdmin(swarm, job.id, root, certify(root), job)).toBe(true)
    const cancelled = swarm.job(job.id)
    expect(cancelled).toMatchObject({ state: 'cancelled', submittedBy: alice.peer, sig: entry.sig, cancelledBy: { certificate: { peer: root.peer, admin: true } } })
    expect(index.cancelled).toBe(true)
    // A peer that joins long after the certificate expired reads the same verdict: nothing in it depends on the clock.
    const late = new SwarmDoc()
    late.recognizeAdmins({ issuers: ['k-some-older-issuer', issuer.peer], room: 'lab' })
    writeRaw(late.jobs, job.id, cancelled)
    expect(late.job(job.id)?.state).toBe('cancelled')
    // Done or cancelled, a job leaves `open` once: the submitter cannot reopen or finish it, nor the admin cancel it twice.
    markJobDone(swarm, job.id, alice)
    expect(cancelJob(swarm, job.id, alice, job)).toBe(false)
    expect(cancelJobAsAdmin(swarm, job.id, root, certify(root), job)).toBe(false)
    expect(swarm.job(job.id)).toBe(cancelled)
    index.close()
  })

  it('counts for nothing where no certifying server is trusted', async () => {
    const { swarm, job, entry } = await aliceJob()
    cancelJobAsAdmin(swarm, job.id, root, certify(root), job)
    const cancelled = swarm.job(job.id)
    for (const untrusting of [undefined, { issuers: [], room: 'lab' }, { issuers: [issuer.peer], room: undefined }]) {
      expect(checkJobEntry(job.id, cancelled, untrusting)).toBeUndefined()
      expect(new JobIndex(job, entry, undefined, untrusting).cancelled).toBe(false)
    }
  })
})

describe('cancellations that are refused', () => {
  it('a key without an admin certificate, through the write path and by raw writes', async () => {
    const { swarm, job, entry } = await aliceJob()
    const plain = certify(mallory, { admin: false })
    expect(() => cancelJobAsAdmin(swarm, job.id, mallory, plain, job)).toThrow(JobOwnerError)
    // Someone else's admin certificate, presented with one's own key.
    expect(() => cancelJobAsAdmin(swarm, job.id, mallory, certify(root), job)).toThrow(JobOwnerError)
    expect(cancelJob.bind(null, swarm, job.id, mallory, job)).toThrow(JobOwnerError)
    const index = new JobIndex(job, entry, undefined, swarm.admins)
    for (const forged of [sealed(entry, plain, mallory), sealed(entry, certify(root), mallory), sealed(entry, { ...plain, admin: true }, mallory)]) {
      writeRaw(job.control, 'cancelled', forged)
      expect(index.cancelled).toBe(false)
      expect(checkJobEntry(job.id, forged, trust)).toBeUndefined()
    }
    expect(swarm.job(job.id)?.state).toBe('open')
    index.close()
  })

  it('an admin certificate that expired before the job was created, or one from an issuer or room not trusted here', async () => {
    const { swarm, job, entry } = await aliceJob()
    const created = entry.createdAt
    const expired = certify(root, { notBefore: created - 2 * HOUR, notAfter: created - DEFAULT_CLOCK_SKEW_MS })
    const selfIssued = certify(mallory, {}, mallory)
    const otherRoom = certify(root, { room: 'other-lab' })
    expect(() => cancelJobAsAdmin(swarm, job.id, root, expired, job)).toThrow(JobOwnerError)
    expect(() => cancelJobAsAdmin(swarm, job.id, mallory, selfIssued, job)).toThrow(JobOwnerError)
    expect(() => cancelJobAsAdmin(swarm, job.id, root, otherRoom, job)).toThrow(JobOwnerError)
    expect(swarm.job(job.id)?.state).toBe('open')
    for (const forged of [sealed(entry, expired, root), sealed(entry, selfIssued, mallory), sealed(entry, otherRoom, root)]) {
      expect(checkJobEntry(job.id, forged, trust)).toBeUndefined()
    }
    // The same certificate, valid a moment after the job was created, is enough.
    const lastMoment = certify(root, { notBefore: created - 2 * HOUR, notAfter: created + 1 })
    expect(checkJobEntry(job.id, sealed(entry, lastMoment, root), trust)).toBeDefined()
  })

  it('a seal that names no open job of its submitter, or carries a broken signature', async () => {
    const { entry } = await aliceJob()
    const admin = certify(root)
    const good = sealed(entry, admin, root)
    expect(checkJobEntry(entry.id, good, trust)).toBeDefined()
    // A job alice never published: the admin cannot list one in her name by cancelling it.
    expect(checkJobEntry(entry.id, sealed({ ...entry, taskCount: 2 }, admin, root), trust)).toBeUndefined()
    // Only `cancelled`: an admin never marks a job done, nor does its seal make an entry open.
    expect(checkJobEntry(entry.id, { ...good, state: 'done' }, trust)).toBeUndefined()
    expect(checkJobEntry(entry.id, { ...good, state: 'open' }, trust)).toBeUndefined()
    // The admin signature must be the certified key's, over this job.
    const other = sealed({ ...entry, id: asJobId('k') }, admin, root)
    expect(checkJobEntry(entry.id, { ...good, cancelledBy: other.cancelledBy }, trust)).toBeUndefined()
    expect(checkJobEntry(entry.id, { ...good, cancelledBy: { certificate: admin, sig: 'x'.repeat(86) } }, trust)).toBeUndefined()
    expect(checkJobEntry(entry.id, { ...good, cancelledBy: { certificate: admin } }, trust)).toBeUndefined()
    expect(checkJobEntry(entry.id, { ...good, cancelledBy: 'root' }, trust)).toBeUndefined()
  })
})

describe('a job dated ahead of the clock', () => {
  it('waits for its date before any peer opens it, so its submitter cannot date it past every admin certificate', async () => {
    const clock = new SimClock()
    const network = new SimulatedNetwork(clock, prng.create(7))
    const [host, donor] = ['host', 'donor'].map((name) => new SimPeer({ name, network, clock, random: prng.create(1), syncIntervalMs: 300 })) as [SimPeer, SimPeer]
    const dated = DEFAULT_CLOCK_SKEW_MS + 60_000
    const job = new JobDoc(asJobId('later'), await host.openDoc('tessera/job/later'))
    await submitJob(host.swarm, host.values, { id: job.id, fn: square, argsList: [{ x: 1 }], identity: host.identity, now: dated, job })
    await clock.runUntil(() => donor.swarm.job(job.id) !== undefined, 10_000)
    const later = clock.now() + 30_000
    clock.setTimeout(() => {}, 30_000)
    await clock.runUntil(() => clock.now() >= later, later + 1)
    expect(donor.swarm.job(job.id)?.state).toBe('open')
    expect(donor.jobs.admits(job.id)).toBe(false)
    expect(donor.jobs.get(job.id)).toBeUndefined()
    // Within the clock skew of its date, it opens as any job does.
    await clock.runUntil(() => donor.jobs.get(job.id) !== undefined, dated)
    expect(clock.now()).toBe(dated - DEFAULT_CLOCK_SKEW_MS)
    expect(donor.jobs.admits(job.id)).toBe(true)
    for (const peer of [host, donor]) await peer.close()
  })
})
