/**
 * A line and the area under it for `values` in an SVG `viewBox` of
 * `width` × `height`, scaled to the largest value (at least `floor`), newest
 * value at the right.
 */
export function sparklinePaths(values: readonly number[], width: number, height: number, floor = 1): { line: string; area: string; peak: number } {
  const peak = Math.max(floor, ...values)
  if (values.length < 2) return { line: '', area: '', peak: Math.max(0, ...values) }
  const step = width / (values.length - 1)
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / peak) * (height - 4) - 2).toFixed(1)}`)
  const line = `M${points.join('L')}`
  return { line, area: `${line}L${width},${height}L0,${height}Z`, peak: Math.max(0, ...values) }
}

/** A fixed number of the latest samples. */
export class SampleWindow {
  readonly #values: number[] = []

  constructor(private readonly size: number) {}

  push(value: number): void {
    this.#values.push(value)
    if (this.#values.length > this.size) this.#values.shift()
  }

  get values(): readonly number[] {
    return this.#values
  }
}
