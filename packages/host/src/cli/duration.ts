const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }

/** `3600`, `90m`, `12h`, `7d`, `45s` in seconds; undefined when it is none of those, or zero. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim())
  if (match === null) return undefined
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 1)
  return seconds > 0 ? seconds : undefined
}
