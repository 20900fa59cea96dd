/**
 * The unit one party is counted by: an IPv4 address, or the first `ipv6Bits`
 * bits of an IPv6 address (one customer's prefix, of which any one host can use
 * as many addresses as it likes). IPv4-mapped IPv6 addresses count as IPv4.
 */
export function networkPrefix(address: string | undefined, ipv6Bits = 64): string {
  if (address === undefined || address === '') return 'unknown'
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (v4 !== null) return v4[1] as string
  if (!address.includes(':')) return address
  const [head = '', tail = ''] = address.split('::')
  const groups = head === '' ? [] : head.split(':')
  const tailGroups = tail === '' ? [] : tail.split(':')
  const full = address.includes('::') ? [...groups, ...Array<string>(8 - groups.length - tailGroups.length).fill('0'), ...tailGroups] : groups
  const kept: string[] = []
  for (let bit = 0, i = 0; bit < ipv6Bits; bit += 16, i++) {
    const value = Number.parseInt(full[i] ?? '0', 16) || 0
    const bits = Math.min(16, ipv6Bits - bit)
    kept.push(((value >> (16 - bits)) << (16 - bits)).toString(16))
  }
  return `${kept.join(':')}::/${ipv6Bits}`
}

/** Whether the address is this machine's own (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const key = networkPrefix(address, 128)
  return /^127\.\d+\.\d+\.\d+$/.test(key) || key === '0:0:0:0:0:0:0:1::/128'
}
