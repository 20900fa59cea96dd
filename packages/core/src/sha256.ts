import { sha256 as portableSha256 } from '@noble/hashes/sha2.js'

interface NodeCrypto {
  hash?(algorithm: 'sha256', data: Uint8Array, encoding: 'buffer'): Uint8Array
}
interface NodeProcess {
  getBuiltinModule?(id: 'node:crypto'): NodeCrypto | undefined
}

/**
 * Node's one-shot native SHA-256 (`crypto.hash`, reached without importing
 * `node:crypto`, so that browsers load this module unchanged), or undefined
 * elsewhere. Addressing a graph of 100,000 calls hashes 200,000 small inputs;
 * the native hash takes about half the time of the JavaScript one on them.
 */
function nativeSha256(): ((bytes: Uint8Array) => Uint8Array) | undefined {
  const process = (globalThis as { process?: NodeProcess }).process
  let hash: NodeCrypto['hash']
  try {
    hash = process?.getBuiltinModule?.('node:crypto')?.hash
  } catch {
    return undefined
  }
  if (typeof hash !== 'function') return undefined
  const native = hash
  return (bytes) => native('sha256', bytes, 'buffer')
}

/** SHA-256 of `bytes`, synchronously: the same digest on every platform, natively where the platform offers it. */
export const sha256: (bytes: Uint8Array) => Uint8Array = nativeSha256() ?? portableSha256
