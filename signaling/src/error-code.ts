/**
 * Why the server refused a frame: sent in the `error` frame, so clients branch
 * on it. On its own so that `protocol.ts` and `errors.ts` can both use it
 * without importing each other.
 */
export type ErrorCode =
  | 'bad-frame'
  | 'too-large'
  | 'rate-limited'
  | 'too-many-rooms'
  /** This connection, or its address, created as many rooms as it may: it can still join existing ones. */
  | 'too-many-new-rooms'
  | 'unauthorized'
  /**
   * A subscribe's `peer` was not proven: no or a bad `proof`, an id that is not
   * a key id, or a second id on a connection already bound to another.
   */
  | 'unproven-peer'
  /**
   * The subject this binding would be certified as (the room token's, or the
   * connection's network prefix in a public room) already has as many live
   * identities in the room as the server allows (`maxIdentitiesPerSubject`).
   */
  | 'too-many-identities'
  | 'not-subscribed'
  | 'server-full'
