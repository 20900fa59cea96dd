/**
 * A hyperparameter grid search: `tessera run examples/grid-search.ts [-- --n 1200 --folds 5]`.
 *
 * Kernel ridge regression (RBF kernel) on a seeded synthetic data set, scored
 * by k-fold cross-validation: one task per (λ, γ, fold). Each task rebuilds
 * the data from its seed (cheaper than sending it) with helpers imported from
 * local files, which travel to donors with the function.
 */
import type { JobModule } from '@tessera/host'
import { foldSplit, makeDataset } from './lib/dataset.ts'
import { integerArgs } from './lib/job-args.ts'
import { kernelRidgeValidationError } from './lib/kernel-ridge.ts'

export interface GridSearchResult {
  readonly best: { readonly lambda: number; readonly gamma: number; readonly mse: number }
  /** Mean validation MSE of every (λ, γ), best first. */
  readonly ranking: ReadonlyArray<{ readonly lambda: number; readonly gamma: number; readonly mse: number }>
  /** The targets' variance: the MSE of always predicting the mean, for scale. */
  readonly baselineMse: number
  readonly tasks: number
}

const LAMBDAS = [1e-4, 1e-3, 1e-2, 1e-1]
const GAMMAS = [0.03, 0.1, 0.3, 1, 3]

const job: JobModule<GridSearchResult> = async (swarm, { args, signal }) => {
  const { n, folds, seed } = integerArgs(args, { n: 1200, folds: 5, seed: 7 })
  const data = { seed, n, d: 5, noise: 0.1 }

  const validationError = swarm.pure(
    ({ data, folds, fold, lambda, gamma }: { data: { seed: number; n: number; d: number; noise: number }; folds: number; fold: number; lambda: number; gamma: number }) => {
      const set = makeDataset(data.seed, data.n, data.d, data.noise)
      const { train, test } = foldSplit(set.n, folds, fold)
      return kernelRidgeValidationError(set, train, test, lambda, gamma)
    },
    { name: 'examples/grid-search:validationError' },
  )

  const grid = LAMBDAS.flatMap((lambda) => GAMMAS.map((gamma) => ({ lambda, gamma })))
  const calls = grid.flatMap(({ lambda, gamma }) => Array.from({ length: folds }, (_, fold) => ({ data, folds, fold, lambda, gamma })))
  const errors = await validationError.parallel(calls, { signal })
  const ranking = grid
    .map(({ lambda, gamma }, g) => ({ lambda, gamma, mse: errors.slice(g * folds, (g + 1) * folds).reduce((a, b) => a + b, 0) / folds }))
    .sort((a, b) => a.mse - b.mse)
  const { y } = makeDataset(data.seed, data.n, data.d, data.noise)
  const mean = y.reduce((a, b) => a + b, 0) / y.length
  const baselineMse = y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length
  return { best: ranking[0] ?? { lambda: NaN, gamma: NaN, mse: NaN }, ranking, baselineMse, tasks: calls.length }
}

export default job
