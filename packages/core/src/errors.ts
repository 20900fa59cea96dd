/**
 * Every error Tessera raises on purpose is a named class: the ones any swarm
 * caller may receive are in this file, whichever environment raised them; a
 * package's own (bigmatrix's, say) live in that package and are registered with
 * `registerErrors`. Tests and callers match on `name`, and `name` survives worker
 * and network boundaries through `toErrorRecord` / `fromErrorRecord`.
 */
export class TesseraError extends Error {
  override name: string = 'TesseraError'
}

/** A value that has no canonical encoding; `path` points at it, e.g. `args.model.fit`. */
export class EncodingError extends TesseraError {
  override name = 'EncodingError'
  constructor(readonly path: string, reason: string) {
    super(`cannot encode ${path}: ${reason}`)
  }
}

/** Bytes that do not decode as a canonical value. */
export class DecodingError extends TesseraError {
  override name = 'DecodingError'
}

/** A string that is not a Tessera address, or one whose hash we do not support. */
export class AddressError extends TesseraError {
  override name = 'AddressError'
}

/** Bytes whose hash does not match the address they came under. */
export class IntegrityError extends TesseraError {
  override name = 'IntegrityError'
}

/**
 * A record in a shared document that passed its shape check but fails a deeper
 * one (a task's inline arguments that do not hash to its `args`): the record
 * is ignored, as a malformed one would be, and nothing is reported on it.
 */
export class MalformedRecordError extends TesseraError {
  override name = 'MalformedRecordError'
}

/** A value over a size cap: rejected before it is stored or sent. */
export class SizeLimitError extends TesseraError {
  override name = 'SizeLimitError'
}

export class BlobNotFoundError extends TesseraError {
  override name = 'BlobNotFoundError'
}

/** A function that reads variables from outside itself, so it cannot travel as source. */
/** Where a refused function reads a name: a package file and line when known, else the function's own line and column. */
export interface OutsideRead {
  readonly name: string
  /** e.g. `node_modules/ml-matrix/src/util.js:12:7`, or `line 3, column 10 of its source`. */
  readonly at: string
  /** The nearest enclosing named function (a bundled helper, say). */
  readonly enclosing?: string
}

export class NotSelfContainedError extends TesseraError {
  override name = 'NotSelfContainedError'
  constructor(
    readonly functionName: string,
    readonly freeVariables: readonly string[],
    detail?: string,
    readonly reads: readonly OutsideRead[] = [],
  ) {
    super(
      detail ??
        `pure function "${functionName}" reads ${freeVariables.map((v) => describeRead(v, reads)).join(', ')} from outside itself; ` +
          'functions travel as source, so pass such values as keyword arguments or define them inside the function',
    )
  }
}

function describeRead(name: string, reads: readonly OutsideRead[]): string {
  const read = reads.find((r) => r.name === name)
  if (read === undefined) return `"${name}"`
  return `"${name}" (${read.enclosing === undefined ? '' : `in ${read.enclosing}, `}${read.at})`
}

export class TaskTimeoutError extends TesseraError {
  override name = 'TaskTimeoutError'
}

/** A claim whose holder stopped renewing it: the task went back to the queue. */
export class LeaseExpiredError extends TesseraError {
  override name = 'LeaseExpiredError'
}

/**
 * No `quorum` subjects agree on a task's outcome: too many reported without
 * agreeing, or every live subject that could run it has reported and they
 * disagree (`scheduler/disputes.ts`). Nothing was accepted and nobody is
 * judged wrong by it. `subjects` are those that disagreed, when known (an
 * error rebuilt from its record carries only its message).
 */
export class QuorumError extends TesseraError {
  override name = 'QuorumError'
  constructor(
    message: string,
    readonly subjects: readonly string[] = [],
    readonly quorum?: number,
  ) {
    super(message)
  }
}

export class TransportClosedError extends TesseraError {
  override name = 'TransportClosedError'
}

export class ExecutorClosedError extends TesseraError {
  override name = 'ExecutorClosedError'
}

/** The signaling server refused this peer: a private room without a valid token, or a full server. */
export class AccessDeniedError extends TesseraError {
  override name = 'AccessDeniedError'
}

/**
 * The signaling server did not let this peer join its room in time (down, wrong
 * URL, a firewall): `connect()` says so instead of resolving on an empty room.
 * `connect({ offline: true })` works from the local cache instead.
 */
export class SignalingUnreachableError extends TesseraError {
  override name = 'SignalingUnreachableError'
}

/**
 * A call that asked to fail fast (`{ noWorkers: 'fail' }`) while no peer in the
 * room had workers to run it, for longer than its grace period.
 */
/**
 * A call's argument named another call (a `TaskRef`) whose outcome is a
 * failure: the call fails without running, and so do the calls that depend
 * on it in turn. The message names the failed call's reference and error.
 */
export class DependencyFailedError extends TesseraError {
  override name = 'DependencyFailedError'
}

/** A `TaskRef` in a call's arguments names no call this host can find (no job lists it, the cache lacks it). */
export class UnknownTaskRefError extends TesseraError {
  override name = 'UnknownTaskRefError'
}

export class NoWorkersError extends TesseraError {
  override name = 'NoWorkersError'
}

/** A key other than a job's submitter's tried to publish, finish, cancel or stop that job. */
export class JobOwnerError extends TesseraError {
  override name = 'JobOwnerError'
}

/**
 * A worker that died under a task (an error event, an exit, out of memory). Like a
 * timeout it says nothing about the function's result, so the task is retried.
 */
export class WorkerCrashedError extends TesseraError {
  override name = 'WorkerCrashedError'
}

/**
 * A task that went over its donor's heap cap. The donor ends the task's worker
 * (or isolate) and carries on; like a timeout it is retried elsewhere, since
 * another donor may allow more memory.
 */
export class TaskMemoryError extends TesseraError {
  override name = 'TaskMemoryError'
}

/**
 * Task code reached for something a donor's sandbox withholds (the network,
 * storage, nested workers): tasks are pure functions of their arguments.
 */
export class SandboxError extends TesseraError {
  override name = 'SandboxError'
}

/** A call or batch stopped by its `AbortSignal` or by `cancel()`. */
export class CancelledError extends TesseraError {
  override name = 'CancelledError'
}

/** Some calls of a `parallel` batch failed; `failures` says which and why. */
export class ParallelError<R = unknown> extends TesseraError {
  override name = 'ParallelError'
  /**
   * @param results the values of the calls that succeeded, at their index; a
   *   failed call's index is a hole (`index in error.results` is false), so no
   *   computed result is lost with the error.
   */
  constructor(
    readonly failures: ReadonlyArray<{ readonly index: number; readonly error: Error }>,
    readonly total: number,
    readonly results: ReadonlyArray<R | undefined> = new Array<R | undefined>(total),
  ) {
    const shown = failures.slice(0, 5).map((f) => `#${f.index} ${f.error.name}: ${f.error.message}`)
    const more = failures.length > shown.length ? `; and ${failures.length - shown.length} more` : ''
    const indices = failures.slice(0, 20).map((f) => f.index).join(', ') + (failures.length > 20 ? ', …' : '')
    super(`${failures.length} of ${total} calls failed (indices ${indices}): ${shown.join('; ')}${more}`)
  }
}

/** A malformed wire message from a peer. */
export class ProtocolError extends TesseraError {
  override name = 'ProtocolError'
}

/** A peer sent more than its share (messages, bytes or requests per second). */
export class RateLimitError extends TesseraError {
  override name = 'RateLimitError'
}

/**
 * An error thrown by a task's own code, carried back from wherever it ran. Its
 * `name` is the original error's name (`RangeError`, `MyDomainError`, ...).
 */
export class TaskError extends TesseraError {
  constructor(name: string, message: string, readonly remoteStack?: string) {
    super(message)
    this.name = name
  }
}

/** The plain, encodable form of an error: what crosses workers, the network and the cache. */
export interface ErrorRecord {
  readonly name: string
  readonly message: string
  readonly stack?: string
}

export function toErrorRecord(error: unknown): ErrorRecord {
  if (error instanceof Error) {
    return error.stack === undefined
      ? { name: error.name, message: error.message }
      : { name: error.name, message: error.message, stack: error.stack }
  }
  return { name: 'Error', message: `non-Error value thrown: ${describeThrown(error)}` }
}

/** An error class whose instances are rebuilt from a record by their message alone. */
export type RebuildableError = new (message: string) => Error

const rebuilders = new Map<string, RebuildableError>()

/**
 * Lets `fromErrorRecord` rebuild these classes as themselves. A package calls
 * it once, when it is imported, for the errors it defines (`@tessera/bigmatrix`
 * does for its own). The name each class is known by is the `name` of its
 * instances, which is what `toErrorRecord` writes. A process that never
 * imported the package still keeps the name: it rebuilds a `TaskError` so named.
 */
export function registerErrors(...classes: readonly RebuildableError[]): void {
  for (const errorClass of classes) {
    const name = new errorClass('').name
    const known = rebuilders.get(name)
    if (known !== undefined && known !== errorClass) throw new TesseraError(`another error class is already registered as "${name}"`)
    if (name === 'Error' || name === 'TaskError') throw new TesseraError(`"${name}" is not a name an error class can be registered under`)
    rebuilders.set(name, errorClass)
  }
}

registerErrors(
  TaskTimeoutError,
  TaskMemoryError,
  LeaseExpiredError,
  QuorumError,
  IntegrityError,
  MalformedRecordError,
  DecodingError,
  AddressError,
  SizeLimitError,
  BlobNotFoundError,
  ExecutorClosedError,
  TransportClosedError,
  ProtocolError,
  RateLimitError,
  AccessDeniedError,
  SignalingUnreachableError,
  NoWorkersError,
  DependencyFailedError,
  UnknownTaskRefError,
  JobOwnerError,
  CancelledError,
  WorkerCrashedError,
  SandboxError,
)

/** Rebuilds an error from its record: registered classes come back as themselves, the rest as `TaskError`. */
export function fromErrorRecord(record: ErrorRecord): Error {
  const errorClass = rebuilders.get(record.name)
  if (errorClass !== undefined) {
    const error = new errorClass(record.message)
    if (record.stack !== undefined) error.stack = record.stack
    return error
  }
  if (record.name === 'NotSelfContainedError') return new NotSelfContainedError('?', [], record.message)
  return new TaskError(record.name, record.message, record.stack)
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value)
  } catch {
    return typeof value
  }
}
