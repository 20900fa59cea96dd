/** Branded strings keep ids of different kinds from being mixed up. */
type Brand<T, B extends string> = T & { readonly __brand: B }

/** A content address: a CIDv1 string naming the hash of a value's canonical bytes. */
export type Address = Brand<string, 'Address'>
/** `hash(functionAddress, argsAddress)`: the key of one call in the result cache. */
export type TaskKey = Brand<string, 'TaskKey'>
export type PeerId = Brand<string, 'PeerId'>
export type JobId = Brand<string, 'JobId'>

export const asPeerId = (id: string): PeerId => id as PeerId
export const asJobId = (id: string): JobId => id as JobId
