/**
 * What every benchmark module hands to `bench/run.ts`: its figures, each a
 * ratio against a baseline measured in the same run (machines are noisy, so
 * absolute numbers are context, ratios are the headline).
 */
export interface BenchFigure {
  /** Stable id for the JSON, e.g. `dispatch.swarm-vs-worker-pool`. */
  readonly id: string
  /** Human title, e.g. `Dispatch throughput (20,000 trivial tasks)`. */
  readonly title: string
  /** The measured value and its unit, e.g. 12_345 and `tasks/s`. */
  readonly value: number
  readonly unit: string
  /** The baseline measured in the same run. */
  readonly baseline?: { readonly label: string; readonly value: number; readonly unit: string }
  /** value / baseline (or whatever the issue defines as the figure), e.g. 0.93. */
  readonly ratio?: number
  /** The target as text, e.g. `≥ 1.0× baseline`, and whether this run met it. */
  readonly target?: string
  readonly met?: boolean
  /** Anything a reader needs: where time went, why a target was missed. */
  readonly note?: string
}

export interface BenchSection {
  /** e.g. `dispatch`, `bigmatrix`. */
  readonly id: string
  readonly title: string
  readonly figures: readonly BenchFigure[]
  /** Extra Markdown for the report (tables, breakdowns); may reference charts by file name. */
  readonly markdown?: string
  /** SVG charts to write next to the report: file name (no directory) → SVG text. */
  readonly charts?: Readonly<Record<string, string>>
  /** Raw data for the JSON file. */
  readonly data?: unknown
}

export interface BenchOptions {
  /** The few-second smoke run that `npm test` makes; its numbers are not data. */
  readonly quick: boolean
  readonly verbose: boolean
}
