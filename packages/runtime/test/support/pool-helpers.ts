import { definePure, type Execution } from '@tessera/core'
import type { FakeWorker } from './fake-worker.ts'

/** The error message of a run that did not end in a value. */
export const messageOf = (execution: Execution): string => (execution.kind === 'value' ? '' : execution.error.message)

export const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
export const sum = definePure(({ v }: { v: Float64Array }) => v.reduce((a, b) => a + b, 0), { name: 'sum' })

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
export const ticks = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await null
}
export const value = (v: number): { kind: 'value'; value: number } => ({ kind: 'value', value: v })
export const sentTo = (worker: FakeWorker | undefined): number[] => (worker?.sent ?? []).map((run) => run.args['x'] as number)
