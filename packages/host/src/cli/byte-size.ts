const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
}

/** `10GB`, `500MiB`, `2.5gb`, `1048576` in bytes (decimal units are powers of 1000); undefined when it is none of those, or zero. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim())
  if (match === null) return undefined
  const unit = UNIT_BYTES[(match[2] ?? '').toLowerCase() || 'b']
  if (unit === undefined) return undefined
  const bytes = Math.floor(Number(match[1]) * unit)
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined
}

/** Bytes for a status line: `3.2 MB`, `10 GB` (powers of 1000, as `--quota` reads them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1
  return `${value.toFixed(digits)} ${units[unit]}`
}
