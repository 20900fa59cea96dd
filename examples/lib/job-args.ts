import { parseArgs } from 'node:util'

/**
 * A job's own flags (what follows `--` on the `tessera run` line), each a
 * positive integer with a default: `--tasks 50`.
 */
export function integerArgs<K extends string>(args: readonly string[], defaults: Readonly<Record<K, number>>): Record<K, number> {
  const names = Object.keys(defaults) as K[]
  const { values } = parseArgs({
    args: [...args],
    options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  })
  const result = {} as Record<K, number>
  for (const name of names) {
    const text = values[name]
    const value = text === undefined ? defaults[name] : Number(text)
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got "${String(text)}"`)
    result[name] = value
  }
  return result
}
