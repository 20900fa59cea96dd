import { isLoopbackAddress, networkPrefix } from './network-prefix.ts'

/**
 * Which address a connection counts as. Subjects in public rooms come from it
 * (a hashed network prefix; loopback is this machine's `local:` subject, which
 * a submitter on this machine trusts), so behind a reverse proxy every client
 * would look like the proxy itself. With `trustProxy`, a connection from one
 * of those proxies counts as the address the proxy names in
 * `X-Forwarded-For`: the rightmost entry that is not itself a trusted proxy,
 * since a client can put anything it likes to the left.
 */
export interface ProxyTrust {
  /** Addresses (IPv4, IPv6) or IPv4 CIDR ranges (`10.0.0.0/8`) of the proxies; `loopback` for this machine. */
  readonly trustProxy?: readonly string[]
}

export class UntrustedForwardingError extends Error {
  override readonly name = 'UntrustedForwardingError'
}

/** Checks `trustProxy` entries at start-up; throws a `TypeError` naming a bad one. */
export function checkProxyTrust(entries: readonly string[]): void {
  for (const entry of entries) {
    if (entry === 'loopback') continue
    const [address = '', bits] = entry.split('/')
    const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(address)
    const v6 = !v4 && address.includes(':') && bits === undefined
    const okBits = bits === undefined || (v4 && /^\d+$/.test(bits) && Number(bits) <= 32)
    if (!(v4 || v6) || !okBits) throw new TypeError(`trustProxy: "${entry}" is not an address, an IPv4 CIDR range or "loopback"`)
  }
}

function ipv4Number(address: string): number | undefined {
  const parts = address.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0
}

function isTrustedProxy(address: string, entries: readonly string[]): boolean {
  const plain = networkPrefix(address, 128).replace(/::\/128$/, '')
  for (const entry of entries) {
    if (entry === 'loopback') {
      if (isLoopbackAddress(address)) return true
      continue
    }
    const [base = '', bits] = entry.split('/')
    const value = ipv4Number(plain)
    const start = ipv4Number(base)
    if (value !== undefined && start !== undefined) {
      const mask = bits === undefined ? 0xffffffff : Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0
      if (((value & mask) >>> 0) === ((start & mask) >>> 0)) return true
    } else if (networkPrefix(base, 128) === networkPrefix(address, 128)) return true
  }
  return false
}

/**
 * The address a connection counts as: its socket's, or, from a trusted proxy,
 * the one the proxy forwarded. A trusted proxy that names nobody is refused
 * (`UntrustedForwardingError`): counting the proxy's own address would give
 * every such client the proxy machine's subject.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string | undefined {
  const entries = trust.trustProxy ?? []
  if (socketAddress === undefined || entries.length === 0 || !isTrustedProxy(socketAddress, entries)) return socketAddress
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')
  const hops = header
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0 && hop.length <= 64)
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string
    if (!isTrustedProxy(hop, entries)) return hop
  }
  throw new UntrustedForwardingError(`a connection from trusted proxy ${socketAddress} names no client in X-Forwarded-For`)
}
