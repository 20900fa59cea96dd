import type { ErrorCode } from './error-code.ts'

/**
 * A frame the server refuses. `code` goes on the wire in the `error` frame, so
 * clients branch on it; `message` is for people and may change.
 */
export class SignalingProtocolError extends Error {
  override readonly name = 'SignalingProtocolError'
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}
