import { definePure } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { createWorkerRunner, serveRuns, type RunRequest, type WorkerEvent, type WorkerRunner } from '../src/pool/index.ts'

const blob = definePure(({ n }: { n: number }) => new Float64Array(n).fill(n), { name: 'blob' })
const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const request = (id: number, fn: RunRequest['fn'], args: RunRequest['args']): RunRequest => ({ type: 'run', id, fn, args })

/** Posts collected in order, with what each tried to move; `refuse` decides which posts throw. */
function recorder(refuse: (message: WorkerEvent, transfer: ArrayBuffer[]) => boolean = () => false) {
  const sent: Array<{ message: WorkerEvent; moved: number }> = []
  const post = (message: WorkerEvent, transfer: ArrayBuffer[]): void => {
    if (refuse(message, transfer)) throw new DOMException('could not be cloned', 'DataCloneError')
    sent.push({ message, moved: transfer.length })
  }
  return { sent, post }
}

const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

describe('serveRuns (the worker side of the run protocol)', () => {
  it('answers each request under its own id, moving the buffers of the result', async () => {
    const { sent, post } = recorder()
    const serve = serveRuns(createWorkerRunner(), post)
    serve(request(7, square, { x: 3 }))
    serve(request(8, blob, { n: 4 }))
    await settled()
    const byId = new Map(sent.map((s) => [s.message.type === 'reply' ? s.message.id : -1, s]))
    expect(byId.get(7)?.message).toEqual({ type: 'reply', id: 7, reply: expect.objectContaining({ kind: 'value', value: 9 }) })
    expect(byId.get(8)?.moved).toBe(1)
  })

  it('sends a copy when the buffers cannot be moved, and a thrown error naming why when the reply cannot be sent at all', async () => {
    const moves = recorder((_, transfer) => transfer.length > 0)
    serveRuns(createWorkerRunner(), moves.post)(request(1, blob, { n: 2 }))
    await settled()
    expect(moves.sent).toEqual([{ message: { type: 'reply', id: 1, reply: expect.objectContaining({ kind: 'value', value: new Float64Array([2, 2]) }) }, moved: 0 }])

    const values = recorder((message) => message.type === 'reply' && message.reply.kind === 'value')
    serveRuns(createWorkerRunner(), values.post)(request(2, square, { x: 5 }))
    await settled()
    expect(values.sent).toEqual([{ message: { type: 'reply', id: 2, reply: { kind: 'thrown', error: expect.objectContaining({ name: 'DataCloneError' }) } }, moved: 0 }])
  })

  it('answers a runner that throws with a thrown error, never leaving the run unanswered', async () => {
    const broken: WorkerRunner = { run: () => Promise.reject(new RangeError('the runner broke')) }
    const { sent, post } = recorder()
    serveRuns(broken, post)(request(3, square, { x: 1 }))
    await settled()
    expect(sent).toEqual([{ message: { type: 'reply', id: 3, reply: { kind: 'thrown', error: expect.objectContaining({ name: 'RangeError', message: 'the runner broke' }) } }, moved: 0 }])
  })
})
