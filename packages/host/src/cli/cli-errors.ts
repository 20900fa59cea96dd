import { TesseraError } from '@tessera/core'

/** A command line the CLI cannot act on: unknown command, bad flag or value. Exit code 2. */
export class UsageError extends TesseraError {
  override name = 'UsageError'
  constructor(
    message: string,
    /** The command whose `--help` to point at. */
    readonly command?: string,
  ) {
    super(message)
  }
}

/** The first WebSocket connection to the signaling server failed or timed out (one class with `connect()`'s). */
export { SignalingUnreachableError } from '@tessera/core'

/** A job module that cannot be bundled, loaded, or has no default export to run. */
export class JobModuleError extends TesseraError {
  override name = 'JobModuleError'
}

/** `tessera stop --job ID` for a job the room does not have open. */
export class NoSuchJobError extends TesseraError {
  override name = 'NoSuchJobError'
}

/** The job module's default export threw (or rejected); `cause` is what it threw. */
export class JobFailedError extends TesseraError {
  override name = 'JobFailedError'
}

/** `tessera serve` could not listen, most often because the port is taken. */
export class ListenError extends TesseraError {
  override name = 'ListenError'
}
