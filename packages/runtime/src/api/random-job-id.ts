import { asJobId, type JobId } from '@tessera/core'

/** Time first, so job ids sort by age; random after, so two hosts never collide. */
export function randomJobId(): JobId {
  const random = new Uint8Array(6)
  crypto.getRandomValues(random)
  return asJobId(`${Date.now().toString(36)}-${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`)
}
