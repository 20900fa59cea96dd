import { JobOwnerError } from '../errors.ts'
import type { Identity } from '../identity/identity.ts'
import { verifyPeerSignature } from '../identity/signatures.ts'
import { verifyAdminCertificate, type SubjectCertificate } from '../identity/subject-certificate.ts'
import { jobStatement, specFields, specOf } from './job-signature.ts'
import type { JobEntry, JobSpec } from './schema.ts'

/**
 * Room admins may cancel anyone's job. Who is an admin is the signaling
 * server's word: its operator names admin keys (`tessera serve --admin`) or
 * hands out admin room tokens, and the subject certificate it signs for such
 * a key says `admin: true`. A cancellation by an admin is the job's entry in
 * state `cancelled` that keeps the submitter's signature of the open job (so
 * nobody can list a job in another's name this way either) and adds the
 * admin's certificate and signature (`cancelledBy`). Every peer checks it
 * from the entry alone, against the issuers and room it trusts: there is
 * nothing to look up, so peers that join later judge it the same.
 *
 * An admin cancels; it never marks a job done (that says every task settled,
 * which only the submitter tracks). Stopping a job is cancelling it.
 */
const STATEMENT_TAG = 'tessera/job-admin-cancel@1'
const utf8 = new TextEncoder()

/** Whose admin certificates a peer believes: the issuers its signaling server announced, for its room (a `RosterPort` is one). */
export interface AdminTrust {
  readonly issuers: readonly string[]
  readonly room: string | undefined
}

/** What the admin signs: the job's spec, that it is cancelled, and by which key. */
export function adminCancellationStatement(spec: JobSpec, admin: string): Uint8Array {
  return utf8.encode(JSON.stringify([STATEMENT_TAG, ...specFields(spec), 'cancelled', admin]))
}

/**
 * `certificate` if it makes `admin` an admin of this job's room, valid at some
 * moment since the job was created (`verifyAdminCertificate`), else undefined.
 * Without trust (no certifying server), nobody is an admin.
 */
export function adminCertificateFor(spec: JobSpec, admin: string, certificate: unknown, trust: AdminTrust | undefined): SubjectCertificate | undefined {
  if (trust?.room === undefined || trust.issuers.length === 0) return undefined
  return verifyAdminCertificate(certificate, { issuers: trust.issuers, room: trust.room, peer: admin, since: spec.createdAt })
}

/**
 * The open `entry`, cancelled by `signer` as an admin. Throws `JobOwnerError`
 * unless `certificate` is the signer's and says admin; whether readers will
 * believe it is for the writer to check (`cancelJobAsAdmin`).
 */
export function signAdminCancellation(signer: Identity, certificate: SubjectCertificate, entry: JobEntry): JobEntry {
  if (certificate.peer !== signer.peer || certificate.admin !== true) throw new JobOwnerError(`${signer.peer} holds no admin certificate of its own, so it cannot cancel job ${entry.id} of ${entry.submittedBy}`)
  // The submitter's signature kept is of the open entry: a finished or cancelled one has none to keep.
  if (entry.state !== 'open') throw new RangeError(`job ${entry.id} is ${entry.state}: only an open job can be cancelled`)
  const spec = specOf(entry)
  return { ...spec, state: 'cancelled', sig: entry.sig, cancelledBy: { certificate, sig: signer.sign(adminCancellationStatement(spec, signer.peer)) } }
}

/**
 * Whether `entry` is a job its submitter published and a room admin then
 * cancelled, as `trust` sees admins. Never throws. Verdicts are kept per
 * entry and trust, since a new issuer can make a refused one valid.
 */
export function isAdminCancellation(entry: JobEntry, trust: AdminTrust | undefined): boolean {
  const seal: unknown = entry.cancelledBy
  if (entry.state !== 'cancelled' || typeof seal !== 'object' || seal === null || trust?.room === undefined) return false
  const basis = `${trust.room}\n${trust.issuers.join(' ')}`
  const known = verdicts.get(entry)
  if (known !== undefined && known.basis === basis) return known.verdict
  const verdict = judge(entry, seal as { certificate?: unknown; sig?: unknown }, trust)
  verdicts.set(entry, { basis, verdict })
  return verdict
}
const verdicts = new WeakMap<object, { readonly basis: string; readonly verdict: boolean }>()

function judge(entry: JobEntry, seal: { certificate?: unknown; sig?: unknown }, trust: AdminTrust): boolean {
  if (typeof seal.sig !== 'string') return false
  const certificate = seal.certificate as { peer?: unknown } | undefined
  const admin = typeof certificate?.peer === 'string' ? certificate.peer : undefined
  // The cheap checks first: the certificate's shape and issuer, then the two signatures.
  if (admin === undefined || adminCertificateFor(entry, admin, certificate, trust) === undefined) return false
  return verifyPeerSignature(entry.submittedBy, jobStatement(entry, 'open'), entry.sig) && verifyPeerSignature(admin, adminCancellationStatement(entry, admin), seal.sig)
}
