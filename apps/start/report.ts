import type { GridSearchResult } from '../../examples/grid-search.ts'
import type { PiResult } from '../../examples/pi.ts'

export function formatPi(result: PiResult): string {
  return `π ≈ ${result.pi.toFixed(6)} (off by ${result.error.toExponential(1)}; ${result.tasks} tasks × ${result.samplesPerTask.toLocaleString('en')} samples)`
}

export function formatGridSearch(result: GridSearchResult): string {
  const { best, baselineMse, tasks } = result
  const r2 = 1 - best.mse / baselineMse
  return [
    `best hyperparameters: λ = ${best.lambda}, γ = ${best.gamma}`,
    `  cross-validated MSE ${best.mse.toFixed(4)} (predicting the mean: ${baselineMse.toFixed(4)}; R² = ${r2.toFixed(3)}), ${tasks} tasks`,
  ].join('\n')
}
