import type * as Y from 'yjs'
import type { ErrorRecord } from '../errors.ts'
import type { TaskLogs } from '../pure/task-logs.ts'
import type { Address, JobId, PeerId, TaskKey } from '../ids.ts'
import type { SubjectCertificate } from '../identity/subject-certificate.ts'

/**
 * The replicated schema. One swarm document holds what lives forever (the job
 * list, the result cache, the value index); each job has a document of its own
 * that is dropped once the job is finished, so the swarm document stays small.
 *
 * Every entry is written whole and never edited in place. Keys are chosen so that
 * concurrent writers either write the same thing or meet on one key, where Yjs
 * lets the higher clientID win on every peer alike.
 */

export const SWARM_DOC_GUID = 'tessera/swarm'
export const jobDocGuid = (id: JobId): string => `tessera/job/${id}`

/**
 * A replicated map as everyone but its one writer sees it: readable and
 * observable, with no `set` or `delete`. Every write goes through
 * `swarm/writes.ts`, so the merge rules live in one place.
 */
export interface ReadonlyDocMap<T> {
  readonly size: number
  get(key: string): T | undefined
  has(key: string): boolean
  keys(): IterableIterator<string>
  values(): IterableIterator<T>
  entries(): IterableIterator<[string, T]>
  forEach(f: (value: T, key: string) => void): void
  [Symbol.iterator](): IterableIterator<[string, T]>
  toJSON(): Record<string, T>
  observe(f: (event: Y.YMapEvent<T>, transaction: Y.Transaction) => void): void
  unobserve(f: (event: Y.YMapEvent<T>, transaction: Y.Transaction) => void): void
}

/**
 * What a call came to, cached forever under its task key. A failure is cached
 * too: a pure function would throw again. `proofs` are the signed words of the
 * peers that reported it (`outcome-proofs.ts`), one per peer; readers check
 * every one, and a caller that asks for a quorum counts them.
 */
export type CacheEntry =
  | { readonly kind: 'value'; readonly result: Address; readonly proofs: readonly SignedOutcome[] }
  | { readonly kind: 'failure'; readonly error: ErrorRecord; readonly proofs: readonly SignedOutcome[] }

/** The outcome a cache entry records, as reports and proofs state it. */
export function outcomeOfEntry(entry: CacheEntry): Outcome {
  return entry.kind === 'value' ? { kind: 'value', result: entry.result } : { kind: 'thrown', error: entry.error }
}

/** Index of a task within its job, as a Yjs map key. */
export type TaskId = string

export interface JobSpec {
  readonly id: JobId
  /** Address of the pure function; the store holds its source under that address. */
  readonly fn: Address
  readonly name: string
  readonly taskCount: number
  /** A result is accepted once this many distinct subjects report the same outcome. */
  readonly quorum: number
  /**
   * Whether the submitter's signed verdicts (`swarm/verdicts.ts`) accept
   * results too (`peer/referee.ts`): `adaptive`, alone from a reporter it
   * trusts (BOINC's adaptive replication), and donors leave reported tasks to
   * it for a while; `judged`, only where its own `compare` finds `quorum`
   * subjects agreeing within a tolerance. Absent: only exact `quorum` counts.
   */
  readonly replication?: 'adaptive' | 'judged'
  /** Timeouts a task may have before it is marked failed. */
  readonly maxAttempts: number
  /** Claimants that may vanish (lease expired) before the task is marked failed. */
  readonly maxLostLeases: number
  readonly leaseMs: number
  readonly timeoutMs: number
  readonly submittedBy: PeerId
  readonly createdAt: number
}

export type JobState = 'open' | 'done' | 'cancelled'

/** A job as the swarm document lists it: its spec and state, signed by its submitter (`job-signature.ts`). */
export interface JobEntry extends JobSpec {
  readonly state: JobState
  /** The submitter's signature of the spec and `state`; of the spec as `open` when `cancelledBy` is set. */
  readonly sig: string
  /** Set when a room admin, not the submitter, cancelled the job (`admin-cancellation.ts`). */
  readonly cancelledBy?: AdminCancellation
}

/** A room admin's signed cancellation of a job, carrying the certificate that makes its key an admin. */
export interface AdminCancellation {
  /** The admin's subject certificate, with `admin: true`. */
  readonly certificate: SubjectCertificate
  /** The admin's signature of `adminCancellationStatement(spec, certificate.peer)`, base64url. */
  readonly sig: string
}

export interface TaskRecord {
  readonly index: number
  readonly key: TaskKey
  readonly args: Address
  /**
   * The arguments' canonical bytes in base64, when they are at most
   * `INLINE_VALUE_LIMIT`: small arguments ride in the job's own document, so
   * only peers that open the job hold them (the swarm document, which every
   * peer holds, lists only large ones, as blobs). Base64 rather than bytes
   * because Yjs deep-freezes object content under NODE_ENV=development, and a
   * non-empty Uint8Array cannot be frozen. Readers check them against `args`
   * (`swarm/task-args.ts`) before use.
   */
  readonly inlineArgs?: string
  /**
   * The task keys its arguments link to (`{ "/task": key }`, `task-link.ts`),
   * distinct: the task waits until each has an accepted result. Donors read
   * them here to schedule without decoding arguments, and check them against
   * the arguments before running (`task-args.ts`).
   */
  readonly deps?: readonly TaskKey[]
  /**
   * How urgent the task is, as its submitter computed it over the graph it
   * published (`scheduler/priority.ts`): the longest chain of tasks that wait
   * on it, in tasks, at most `MAX_TASK_PRIORITY`. Donors claim ready tasks of
   * higher priority first. Absent: 0 (no task waits on it, or no graph).
   */
  readonly priority?: number
  /**
   * A placement group, as its submitter chose it: tasks of equal affinity, in
   * any job, prefer the same donor when their inputs do not already decide
   * (`donor/input-locality.ts`), so the blocks they make or read stay on
   * one donor (a matrix's block row). Not in the task key; at most
   * `MAX_TASK_AFFINITY`. Absent: no preference.
   */
  readonly affinity?: number
}

/** What a claimant states about its claim; it signs them with the job, task and task key (`signed-claims.ts`). */
export interface ClaimTerms {
  readonly peer: PeerId
  /** 1 for the first claim; +1 after each recorded failure. */
  readonly attempt: number
  readonly claimedAt: number
  /** Renewed by the claimant's heartbeat; past it, the task may be claimed again. */
  readonly leaseUntil: number
  /** Tasks per worker that may run before this one finishes (its batch, and what was queued ahead of it). */
  readonly batch: number
}

/**
 * Keyed by task: concurrent claims meet on one key, and one wins everywhere.
 * Counts only with its claimant's signature over its terms (`proof`: a leaf of
 * the batch the claimant signed for one claiming or renewing transaction).
 */
export interface Claim extends ClaimTerms {
  readonly proof: OutcomeProof
}

/** A second runner for a straggler. At most one per task. */
export interface Backup {
  readonly peer: PeerId
  readonly startedAt: number
}

/** What one run produced. Thrown errors are outcomes too: pure functions throw deterministically. */
export type Outcome =
  | { readonly kind: 'value'; readonly result: Address }
  | { readonly kind: 'thrown'; readonly error: ErrorRecord }

/** A peer's signature on an outcome, as one leaf of a signed batch (`outcome-proofs.ts` makes and checks them). */
export interface OutcomeProof {
  /** The leaf's index in the signed batch. */
  readonly leaf: number
  /** Leaves in the signed batch. */
  readonly size: number
  /** The audit path: sibling hashes, deepest first, concatenated in base64url. */
  readonly path: string
  /** The signer's signature of the batch root. */
  readonly sig: string
}

/** A proof with its signer, as cache entries list them. */
export interface SignedOutcome extends OutcomeProof {
  readonly peer: PeerId
}

/** Keyed by task and peer, so k reports from k peers coexist (quorum). */
export interface Report {
  readonly peer: PeerId
  readonly attempt: number
  readonly outcome: Outcome
  /** The reporter's signed word on the outcome; `attempt`, `durationMs` and `at` are bookkeeping and not signed. */
  readonly proof: OutcomeProof
  readonly durationMs: number
  /** How long the run waited for its arguments' values to arrive (bookkeeping, like `durationMs`; absent from older donors). */
  readonly fetchMs?: number
  readonly at: number
  /** What the run printed, bounded (`TASK_LOG_LIMITS`); not signed, and hostile text like any peer's. */
  readonly logs?: TaskLogs
}

export type FailureKind = 'timeout' | 'lease-expired'

/**
 * Keyed by task and attempt: recorders of the same failure meet on one key.
 * `peer` is the claimant whose attempt failed, and the record must show it
 * (`signed-claims.ts`): a timeout carries that claimant's signature of it, a
 * lost lease the lapsed claim itself, signed by its claimant.
 */
export interface Failure {
  readonly peer: PeerId
  readonly attempt: number
  readonly kind: FailureKind
  readonly error: ErrorRecord
  readonly at: number
  /** A timeout: the claimant's signed word that this attempt timed out. */
  readonly proof?: OutcomeProof
  /** A lost lease: the claim whose lease lapsed, as its claimant signed it. */
  readonly lapsed?: Claim
}

/** An entry of the value index: small values inline, large ones only named (their bytes are blobs). */
export interface StoredValue {
  readonly size: number
  readonly inline?: Uint8Array
}

/**
 * How an entry sits in the document: a small value's bytes themselves, a large
 * one as `{ size }`. Bytes go in bare, never inside an object: Yjs deep-freezes
 * object content when NODE_ENV is `development`, and freezing a non-empty
 * Uint8Array throws, so such a peer could not apply any update that carried one.
 * (`{ size, inline }` objects written by earlier versions are still read.)
 */
export type StoredValueRecord = Uint8Array | { readonly size: number; readonly inline?: Uint8Array }

export function storedValueOf(record: StoredValueRecord | undefined): StoredValue | undefined {
  if (record === undefined) return undefined
  return record instanceof Uint8Array ? { size: record.byteLength, inline: record } : record
}

/**
 * One peer holding one blob, keyed by `holderKey(address, peer)`: peers that
 * fetch a blob add themselves, so popular blobs spread and survive their writer.
 */
export interface BlobHolder {
  readonly at: number
}

export const holderKey = (address: Address, peer: PeerId): string => `${address}/${peer}`

/** Values up to this size travel inside the swarm document; larger ones are blobs. */
export const INLINE_VALUE_LIMIT = 1024

/**
 * The submitter's word on tasks of an adaptive job, one signed record per
 * flush: each leaf accepts a reported outcome for its task, or (without an
 * outcome) asks for another subject's run before anything is accepted.
 */
export interface VerdictLeaf {
  readonly task: TaskId
  readonly outcome?: Outcome
}

export interface VerdictRecord {
  readonly leaves: readonly VerdictLeaf[]
  /** The submitter's signature of the leaves' Merkle root (`swarm/verdicts.ts`). */
  readonly sig: string
}

/** What the checked verdicts say about one task: the outcome the submitter accepted, or that it wants a check. */
export interface TaskVerdict {
  readonly accepted?: Outcome
  readonly check: boolean
}

export const reportKey = (task: TaskId, peer: PeerId): string => `${task}/${peer}`
export const failureKey = (task: TaskId, attempt: number): string => `${task}/${attempt}`
/** The task id part of a `reportKey` or `failureKey`. */
export const taskOfKey = (key: string): TaskId => key.slice(0, key.indexOf('/'))

/**
 * The most dependencies one task may name: each is a cache lookup per
 * scheduling step and an entry in every donor's index, whoever wrote the
 * record. A wider reduction is a tree of tasks.
 */
export const MAX_TASK_DEPS = 256

/**
 * The highest priority a task record may state. Any writer of a job's
 * document can set one, so it orders tasks and nothing else; a longer chain
 * than this is capped, which only loses the order among its first links.
 */
export const MAX_TASK_PRIORITY = 1_000_000

/** The highest placement group a task record may state: like a priority, anyone's word, so it steers placement for a grace and nothing else. */
export const MAX_TASK_AFFINITY = 2 ** 31 - 1
