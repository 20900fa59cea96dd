import { addressOfBytes } from './address.ts'
import { encodeCanonical } from './encoding/canonical.ts'
import type { Address, TaskKey } from './ids.ts'

/** `hash(functionAddress, argsAddress)`: one call's identity, the same on every peer. */
export function taskKeyOf(functionAddress: Address, argsAddress: Address): TaskKey {
  return addressOfBytes(encodeCanonical(['tessera/task@1', functionAddress, argsAddress])) as string as TaskKey
}
