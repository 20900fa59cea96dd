import * as v from 'valibot'
import type { JobId, PeerId, TaskKey } from '../ids.ts'
import { SIGNATURE_TEXT_LENGTH } from '../identity/signatures.ts'
import { proveWholeBatch } from './outcome-proofs.ts'
import { checker, idSchema, intSchema, isTaskId, MAX_ATTEMPTS, MAX_TASK_COUNT, record, timeSchema } from './records.ts'
import type { Claim, ClaimTerms, JobSpec, TaskId } from './schema.ts'
import { claimStatement, rememberClaim } from './signed-claims.ts'
import { keysOfTasks } from './record-key.ts'

/**
 * The claims a donor makes of one job in one transaction, as one record of
 * the job's `claims` map under the claimant's own `#` key. Each claim alone
 * was about 450 B (its terms, the batch signature and an audit path), and a
 * lease renewal wrote every held claim again, every half lease. A pack lists
 * the tasks, attempts and leases once, under one signature over the same
 * statements the claims would carry (`claimStatement`, the whole batch, so no
 * path), and renewing rewrites the pack alone.
 *
 * Each claimed task's own key holds the pack's key, so concurrent claims of a
 * task still meet on that key and Yjs keeps one on every peer (`claims.ts`).
 * Readers see claims, never the pack (`JobIndex.claim`): it is checked once
 * against the keys of its tasks, and each claim comes out with its proof
 * rebuilt, as a claim of its own would carry it, so lost leases (which carry
 * the lapsed claim), the failure tally and every check downstream are
 * unchanged. A pack with a bad signature, a task twice or a malformed field
 * yields nothing.
 */
export interface ClaimPack {
  readonly peer: PeerId
  readonly sig: string
  readonly claimedAt: number
  /** As `ClaimTerms.batch`, one for the pack. */
  readonly batch: number
  readonly tasks: readonly TaskId[]
  readonly attempts: readonly number[]
  /**
   * Per task, when its lease ends, in ms after `claimedAt`: a renewal extends
   * the tasks the claimant still holds and leaves the others' leases to lapse.
   */
  readonly leases: readonly number[]
}

/** Claim keys of packs start with this; task ids never do. */
export const CLAIM_PACK_PREFIX = '#'
/** Claims per pack; a donor claims at most 256 tasks at a time. */
export const MAX_CLAIM_PACK = 1024

export const isClaimPackKey = (key: string): boolean => key.startsWith(CLAIM_PACK_PREFIX)

const BASE64URL = /^[A-Za-z0-9_-]*$/
const list = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.maxLength(MAX_CLAIM_PACK))
const packSchema = v.pipe(
  record({
    peer: idSchema,
    sig: v.pipe(v.string(), v.length(SIGNATURE_TEXT_LENGTH), v.regex(BASE64URL)),
    claimedAt: timeSchema,
    batch: intSchema(1, MAX_TASK_COUNT),
    tasks: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(MAX_CLAIM_PACK)),
    attempts: list(intSchema(1, MAX_ATTEMPTS)),
    leases: list(v.pipe(v.number(), v.finite(), v.minValue(0))),
  }),
  v.check((pack) => pack.attempts.length === pack.tasks.length && pack.leases.length === pack.tasks.length, 'misaligned pack'),
)
const isPackShaped = checker<ClaimPack>(packSchema)

/** The tasks a pack names, if it is shaped as one for this job (before any check of its signature). */
export function claimPackTasks(raw: unknown, spec: JobSpec): readonly TaskId[] {
  return isPackShaped(raw) && raw.tasks.every((task) => isTaskId(task, spec.taskCount)) ? raw.tasks : []
}

const NOTHING: ReadonlyMap<TaskId, Claim> = new Map()
/** Per pack object, the claims it proved and what they were proven against. */
const expanded = new WeakMap<object, { readonly job: JobId; readonly keys: readonly TaskKey[]; readonly claims: ReadonlyMap<TaskId, Claim> }>()

/**
 * The claims a pack proves, by task, given each task's key here; none when
 * any part of it fails or a task's record is not here. Checked once per pack
 * object and keys. Never throws.
 */
export function claimPackClaims(raw: unknown, spec: JobSpec, keyOf: (task: TaskId) => TaskKey | undefined): ReadonlyMap<TaskId, Claim> {
  const tasks = claimPackTasks(raw, spec)
  if (tasks.length === 0) return NOTHING
  const pack = raw as ClaimPack
  const keys = keysOfTasks(tasks, keyOf)
  if (keys === undefined) return NOTHING
  const known = expanded.get(pack)
  if (known !== undefined && known.job === spec.id && known.keys.every((key, i) => key === keys[i])) return known.claims
  const claims = expand(pack, spec.id, keys)
  expanded.set(pack, { job: spec.id, keys, claims })
  return claims
}

function termsAt(pack: ClaimPack, i: number): ClaimTerms {
  return { peer: pack.peer, attempt: pack.attempts[i]!, claimedAt: pack.claimedAt, leaseUntil: pack.claimedAt + pack.leases[i]!, batch: pack.batch }
}

function expand(pack: ClaimPack, job: JobId, keys: readonly TaskKey[]): ReadonlyMap<TaskId, Claim> {
  if (new Set(pack.tasks).size !== pack.tasks.length) return NOTHING
  const terms = pack.tasks.map((_, i) => termsAt(pack, i))
  const proofs = proveWholeBatch(pack.peer, pack.tasks.map((task, i) => claimStatement(job, task, keys[i]!, terms[i]!)), pack.sig)
  if (proofs === undefined) return NOTHING
  const claims = new Map<TaskId, Claim>()
  pack.tasks.forEach((task, i) => {
    const claim: Claim = { ...terms[i]!, proof: proofs[i]! }
    rememberClaim(job, task, keys[i]!, claim)
    claims.set(task, claim)
  })
  return claims
}

/**
 * A pack of claims of one job that this process signed as one whole batch
 * (`signClaims`), in the batch's order; undefined when they cannot be packed
 * (none, too many, a task twice, part of a batch, differing claim times or
 * batch sizes, a lease that an offset from the claim time cannot spell
 * exactly). It reads back, against `keys`, as exactly these claims without a
 * second check.
 */
export function makeClaimPack(job: JobId, items: ReadonlyArray<{ readonly task: TaskId; readonly key: TaskKey; readonly claim: Claim }>): ClaimPack | undefined {
  const first = items[0]?.claim
  if (first === undefined || items.length > MAX_CLAIM_PACK || new Set(items.map((item) => item.task)).size !== items.length) return undefined
  const leases: number[] = []
  for (const [i, { claim }] of items.entries()) {
    const lease = claim.leaseUntil - claim.claimedAt
    const packable =
      claim.peer === first.peer &&
      claim.claimedAt === first.claimedAt &&
      claim.batch === first.batch &&
      claim.proof.sig === first.proof.sig &&
      claim.proof.size === items.length &&
      claim.proof.leaf === i &&
      lease >= 0 &&
      first.claimedAt + lease === claim.leaseUntil
    if (!packable) return undefined
    leases.push(lease)
  }
  const pack: ClaimPack = {
    peer: first.peer,
    sig: first.proof.sig,
    claimedAt: first.claimedAt,
    batch: first.batch,
    tasks: items.map((item) => item.task),
    attempts: items.map((item) => item.claim.attempt),
    leases,
  }
  expanded.set(pack, { job, keys: items.map((item) => item.key), claims: new Map(items.map((item) => [item.task, item.claim])) })
  return pack
}
