import * as v from 'valibot'
import type { Identity } from './identity.ts'
import { KEY_PEER_ID_LENGTH, publicKeyOfPeer } from './peer-key.ts'
import { SIGNATURE_TEXT_LENGTH, verifyPeerSignature } from './signatures.ts'

/**
 * A subject certificate: the signaling server's signed word that a peer key
 * belongs, in one room and for a short while, to a subject — the party behind
 * it as the server can tell it apart (a room token's subject, or a hashed
 * network prefix in public rooms). Keys are free, so counting signers counts
 * nothing; quorum counts distinct subjects, and a subject is worth only as
 * much as the server's caps on identities per subject (see
 * docs/security/subjects.md).
 *
 * Times are unix milliseconds. The issuer is named like a peer, `k` +
 * base64url of its Ed25519 public key, so `verifyPeerSignature` checks it.
 */
export interface SubjectCertificate {
  readonly v: 1
  /** The certified peer's id (its key). */
  readonly peer: string
  readonly subject: string
  /** The room the certificate was issued in: it says nothing about any other room. */
  readonly room: string
  readonly notBefore: number
  /** The first millisecond it is no longer valid. */
  readonly notAfter: number
  /** The issuer's key id. */
  readonly issuer: string
  /**
   * The room's operator made this key an admin (`tessera serve --admin`, or an
   * admin room token): it may cancel anyone's job in this room
   * (`swarm/admin-cancellation.ts`). Absent on every other certificate, so
   * those issued before the flag existed verify as they did.
   */
  readonly admin?: true
  /** The issuer's signature of `subjectCertificateMessage(...)`, base64url. */
  readonly sig: string
}

export type SubjectCertificateFields = Omit<SubjectCertificate, 'v' | 'issuer' | 'sig'>

/** Longest subject: operators' names are short, derived ones (`net:…`, `token:…`) 26 characters. */
export const MAX_SUBJECT_LENGTH = 64
/** Longest room name a certificate may carry (the signaling server's name limit). */
export const MAX_CERTIFICATE_ROOM_LENGTH = 256
/** Latest time a certificate may name: the largest a JavaScript Date holds. */
export const MAX_CERTIFICATE_TIME = 8.64e15
/**
 * How far the verifier's clock may be off from the issuer's, either way.
 * Certificates live an hour by default; a few minutes of skew between a
 * laptop and the server must not make a fresh one look not yet valid.
 */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000

/**
 * Names an operator gives subjects (`tessera token --subject NAME`). No `:`,
 * so no name collides with the subjects the server derives itself, which are
 * `kind:hash` (`net:…` for a network prefix, `local:…` for the server's own
 * machine, `token:…` for an old token).
 */
export const SUBJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/

export function isSubjectName(name: unknown): name is string {
  return typeof name === 'string' && SUBJECT_NAME_PATTERN.test(name)
}

const DOMAIN = 'tessera/subject-certificate@1'
const utf8 = new TextEncoder()

const keyId = v.pipe(v.string(), v.length(KEY_PEER_ID_LENGTH), v.check((input) => publicKeyOfPeer(input) !== undefined, 'not a key id'))
const time = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_CERTIFICATE_TIME))

/** The shape and size caps of a certificate; unknown fields are refused, so nothing unsigned rides along. */
export const subjectCertificateSchema = v.pipe(
  v.strictObject({
    v: v.literal(1),
    peer: keyId,
    subject: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SUBJECT_LENGTH)),
    room: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CERTIFICATE_ROOM_LENGTH)),
    notBefore: time,
    notAfter: time,
    issuer: keyId,
    admin: v.optional(v.literal(true)),
    sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH)),
  }),
  v.check((input) => input.notBefore < input.notAfter, 'notAfter must be later than notBefore'),
)

/**
 * The bytes the issuer signs: versioned and domain-separated, so no other
 * signature (a binding proof, an outcome batch) passes for a certificate. A
 * JSON array of strings and integers has one spelling for given values. The
 * admin flag is appended only when set: a certificate without it signs the
 * bytes it always did, and neither adding nor removing it keeps a signature valid.
 */
export function subjectCertificateMessage(issuer: string, fields: SubjectCertificateFields): Uint8Array {
  const signed: Array<string | number | boolean> = [DOMAIN, fields.peer, fields.subject, fields.room, fields.notBefore, fields.notAfter, issuer]
  if (fields.admin === true) signed.push(true)
  return utf8.encode(JSON.stringify(signed))
}

/** Signs a certificate with the issuer's key; throws `RangeError` on fields no verifier would accept. */
export function issueSubjectCertificate(issuer: Identity, fields: SubjectCertificateFields): SubjectCertificate {
  const unsigned = {
    v: 1 as const,
    peer: fields.peer,
    subject: fields.subject,
    room: fields.room,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    issuer: issuer.peer,
    ...(fields.admin === true ? { admin: true as const } : {}),
  }
  const certificate: SubjectCertificate = { ...unsigned, sig: issuer.sign(subjectCertificateMessage(issuer.peer, unsigned)) }
  const parsed = v.safeParse(subjectCertificateSchema, certificate)
  if (!parsed.success) throw new RangeError(`cannot issue this certificate: ${parsed.issues[0].message}`)
  return certificate
}

export interface VerifyCertificateOptions {
  /** Issuer key ids to believe: the one the signaling server announced in `welcome`, or those a deployment names. */
  readonly issuers: Iterable<string>
  /** The room the certificate must be for. */
  readonly room: string
  /** Unix ms the certificate must be valid at: now, or the signed time of a record that embeds it. */
  readonly now: number
  /** When given, the certificate must be for this peer. */
  readonly peer?: string
  /** Clock skew tolerated at both ends of the validity window; default `DEFAULT_CLOCK_SKEW_MS`. */
  readonly skewMs?: number
}

export type CertificateRefusal = 'malformed' | 'unknown issuer' | 'bad signature' | 'wrong room' | 'wrong peer' | 'not yet valid' | 'expired'

export type CertificateVerdict = { readonly ok: true; readonly certificate: SubjectCertificate } | { readonly ok: false; readonly reason: CertificateRefusal }

/**
 * Whether `input` is a valid certificate under these options. Never throws:
 * whatever a peer or a document hands over is checked for shape first, and
 * the signature last (it is the costly part, and memoized).
 */
export function verifySubjectCertificate(input: unknown, options: VerifyCertificateOptions): CertificateVerdict {
  const certificate = parse(input)
  if (certificate === undefined) return refuse('malformed')
  if (!includes(options.issuers, certificate.issuer)) return refuse('unknown issuer')
  if (certificate.room !== options.room) return refuse('wrong room')
  if (options.peer !== undefined && certificate.peer !== options.peer) return refuse('wrong peer')
  const skew = Math.max(0, options.skewMs ?? DEFAULT_CLOCK_SKEW_MS)
  if (!(options.now + skew >= certificate.notBefore)) return refuse('not yet valid')
  if (!(options.now - skew < certificate.notAfter)) return refuse('expired')
  if (!verifyPeerSignature(certificate.issuer, subjectCertificateMessage(certificate.issuer, certificate), certificate.sig)) return refuse('bad signature')
  return { ok: true, certificate }
}

/**
 * The subject `certificate` binds `peer` to, or undefined: for a record that
 * embeds its writer's certificate and is read after the session (a cache
 * entry's proof). `at` is the record's signed time when it carries one; without
 * it the validity window is not checked, only that the issuer once certified
 * this key as that subject in this room (see docs/security/subjects.md).
 */
export function certifiedSubject(peer: string, certificate: unknown, trust: { readonly issuers: Iterable<string>; readonly room: string; readonly at?: number }): string | undefined {
  const parsed = parse(certificate)
  if (parsed === undefined) return undefined
  const verdict = verifySubjectCertificate(parsed, { issuers: trust.issuers, room: trust.room, peer, now: trust.at ?? parsed.notBefore })
  return verdict.ok ? verdict.certificate.subject : undefined
}

/**
 * `input` if it is a valid admin certificate (for `peer`, when given) that
 * was valid at some moment from `since` on, else undefined. A job's
 * cancellation is judged by it with `since` the job's creation, which every
 * peer reads alike, so peers that join later agree: an expired admin
 * certificate still counts for jobs created before it expired, and never for
 * later ones.
 */
export function verifyAdminCertificate(
  input: unknown,
  options: { readonly issuers: Iterable<string>; readonly room: string; readonly since: number; readonly peer?: string; readonly skewMs?: number },
): SubjectCertificate | undefined {
  const parsed = parse(input)
  if (parsed?.admin !== true || !Number.isFinite(options.since)) return undefined
  const { since, ...rest } = options
  const verdict = verifySubjectCertificate(parsed, { ...rest, now: Math.max(since, parsed.notBefore) })
  return verdict.ok ? verdict.certificate : undefined
}

function parse(input: unknown): SubjectCertificate | undefined {
  try {
    const parsed = v.safeParse(subjectCertificateSchema, input)
    return parsed.success ? parsed.output : undefined
  } catch {
    // Only an in-process object can throw here (a getter, a proxy): it is no certificate either.
    return undefined
  }
}

function includes(issuers: Iterable<string>, issuer: string): boolean {
  try {
    for (const known of issuers) if (known === issuer) return true
  } catch {
    // A hostile iterable is the caller's bug, never a reason to throw here.
  }
  return false
}

function refuse(reason: CertificateRefusal): CertificateVerdict {
  return { ok: false, reason }
}
