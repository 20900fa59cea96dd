/**
 * Hand-written SVG bar charts for the report: no plotting dependency, and the
 * files diff cleanly between runs.
 */

export interface BarGroup {
  readonly label: string
  /** One bar per series, in the order of `series`. */
  readonly values: readonly number[]
  /** Overrides the series colour for this group's bars (e.g. met / missed). */
  readonly color?: string
}

export interface BarChartInput {
  readonly title: string
  readonly unit: string
  /** Series names, e.g. `['Tessera', 'baseline']`. */
  readonly series: readonly string[]
  readonly groups: readonly BarGroup[]
  /** A vertical reference line, e.g. a target ratio of 1. */
  readonly reference?: { readonly value: number; readonly label: string }
  /** Log scale for data that spans decades. */
  readonly log?: boolean
  /** A legend other than the series, for charts coloured per group. */
  readonly legend?: readonly { readonly name: string; readonly color: string }[]
}

const COLORS = ['#3b6fb6', '#c8842c', '#5a9e5a', '#9b59b6', '#c0392b', '#7f8c8d']

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string)

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 1e6) return value.toExponential(2)
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

/** Horizontal grouped bars, one group per row. */
export function barChart(input: BarChartInput): string {
  const labelWidth = 230
  const plotWidth = 440
  const barHeight = 14
  const groupGap = 12
  const top = 48
  const rows = input.groups.length
  const groupHeight = input.series.length * barHeight + groupGap
  const height = top + rows * groupHeight + 40
  const width = labelWidth + plotWidth + 90
  const all = input.groups.flatMap((g) => g.values).filter((v) => Number.isFinite(v) && v > 0)
  const maxValue = Math.max(input.reference?.value ?? 0, ...all, 1e-9)
  const minValue = Math.min(...all, maxValue)
  const logMin = Math.log10(Math.max(minValue / 2, 1e-9))
  const scale = (v: number): number => {
    if (!Number.isFinite(v) || v <= 0) return 0
    if (input.log === true) return (plotWidth * (Math.log10(v) - logMin)) / Math.max(1e-9, Math.log10(maxValue) - logMin)
    return (plotWidth * v) / maxValue
  }
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${escapeXml(input.title)}</text>`,
  ]
  const legend = input.legend ?? input.series.map((name, i) => ({ name, color: COLORS[i % COLORS.length] as string }))
  legend.forEach(({ name, color }, i) => {
    const x = labelWidth + i * 130
    parts.push(`<rect x="${x}" y="28" width="10" height="10" fill="${color}"/>`)
    parts.push(`<text x="${x + 14}" y="37">${escapeXml(name)}</text>`)
  })
  input.groups.forEach((group, g) => {
    const y0 = top + g * groupHeight
    parts.push(`<text x="${labelWidth - 6}" y="${y0 + (input.series.length * barHeight) / 2 + 4}" text-anchor="end">${escapeXml(group.label)}</text>`)
    group.values.forEach((value, s) => {
      // NaN marks "no such bar in this group".
      if (Number.isNaN(value)) return
      const y = y0 + s * barHeight
      const w = Math.max(1, scale(value))
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${group.color ?? COLORS[s % COLORS.length]}"/>`)
      parts.push(`<text x="${labelWidth + w + 4}" y="${y + barHeight - 4}">${escapeXml(formatNumber(value))}</text>`)
    })
  })
  const axisY = top + rows * groupHeight
  parts.push(`<line x1="${labelWidth}" y1="${top - 4}" x2="${labelWidth}" y2="${axisY}" stroke="#333"/>`)
  parts.push(`<text x="${labelWidth}" y="${axisY + 16}">${escapeXml(input.unit)}${input.log === true ? ' (log scale)' : ''}</text>`)
  if (input.reference !== undefined) {
    const x = labelWidth + scale(input.reference.value)
    parts.push(`<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${axisY}" stroke="#c0392b" stroke-dasharray="4 3"/>`)
    parts.push(`<text x="${x.toFixed(1)}" y="${axisY + 30}" text-anchor="middle" fill="#c0392b">${escapeXml(input.reference.label)}</text>`)
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
