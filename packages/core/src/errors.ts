/**
 * Every error Tessera raises on purpose is a named class from this file. Tests and
 * callers match on `name`, and `name` survives worker and network boundaries
 * through `toErrorRecord` / `fromErrorRecord`.
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

/** A value over a size cap: rejected before it is stored or sent. */
export class SizeLimitError extends TesseraError {
  override name = 'SizeLimitError'
}

export class BlobNotFoundError extends TesseraError {
  override name = 'BlobNotFoundError'
}

/** A function that reads variables from outside itself, so it cannot travel as source. */
export class NotSelfContainedError extends TesseraError {
  override name = 'NotSelfContainedError'
  constructor(readonly functionName: string, readonly freeVariables: readonly string[], detail?: string) {
    super(
      detail ??
        `pure function "${functionName}" reads ${freeVariables.map((v) => `"${v}"`).join(', ')} from outside itself; ` +
          'functions travel as source, so pass such values as keyword arguments or define them inside the function',
    )
  }
}

export class TaskTimeoutError extends TesseraError {
  override name = 'TaskTimeoutError'
}

/** A claim whose holder stopped renewing it: the task went back to the queue. */
export class LeaseExpiredError extends TesseraError {
  override name = 'LeaseExpiredError'
}

/** Too many peers reported on a task without the quorum agreeing on one outcome. */
export class QuorumError extends TesseraError {
  override name = 'QuorumError'
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
 * A worker that died under a task (an error event, an exit, out of memory). Like a
 * timeout it says nothing about the function's result, so the task is retried.
 */
export class WorkerCrashedError extends TesseraError {
  override name = 'WorkerCrashedError'
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
export class ParallelError extends TesseraError {
  override name = 'ParallelError'
  constructor(
    readonly failures: ReadonlyArray<{ readonly index: number; readonly error: Error }>,
    readonly total: number,
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

/** A block index outside a blocked matrix's grid (`@tessera/bigmatrix`). */
export class BlockIndexError extends TesseraError {
  override name = 'BlockIndexError'
}

/** Matrices or blocks whose shapes do not fit the operation (`@tessera/bigmatrix`). */
export class ShapeMismatchError extends TesseraError {
  override name = 'ShapeMismatchError'
}

/** A block or matrix of another element type than the operation expects (`@tessera/bigmatrix`). */
export class DtypeMismatchError extends TesseraError {
  override name = 'DtypeMismatchError'
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

const rebuilders: Record<string, (message: string) => Error> = {
  TaskTimeoutError: (m) => new TaskTimeoutError(m),
  LeaseExpiredError: (m) => new LeaseExpiredError(m),
  QuorumError: (m) => new QuorumError(m),
  IntegrityError: (m) => new IntegrityError(m),
  DecodingError: (m) => new DecodingError(m),
  AddressError: (m) => new AddressError(m),
  SizeLimitError: (m) => new SizeLimitError(m),
  BlobNotFoundError: (m) => new BlobNotFoundError(m),
  ExecutorClosedError: (m) => new ExecutorClosedError(m),
  TransportClosedError: (m) => new TransportClosedError(m),
  ProtocolError: (m) => new ProtocolError(m),
  RateLimitError: (m) => new RateLimitError(m),
  AccessDeniedError: (m) => new AccessDeniedError(m),
  CancelledError: (m) => new CancelledError(m),
  WorkerCrashedError: (m) => new WorkerCrashedError(m),
  SandboxError: (m) => new SandboxError(m),
  BlockIndexError: (m) => new BlockIndexError(m),
  ShapeMismatchError: (m) => new ShapeMismatchError(m),
  DtypeMismatchError: (m) => new DtypeMismatchError(m),
}

/** Rebuilds an error from its record: our own classes come back as themselves, the rest as `TaskError`. */
export function fromErrorRecord(record: ErrorRecord): Error {
  const rebuild = rebuilders[record.name]
  if (rebuild !== undefined) {
    const error = rebuild(record.message)
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
