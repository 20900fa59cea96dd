import { definePure, type KeywordArgs } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { HandleLifecycle, RunRequests, type RunRequest, type WorkerReply } from '@tessera/runtime/pool'

const square = definePure(({ x }: { x: number }) => x * x, { name: 'square' })
const value = (v: number): WorkerReply => ({ kind: 'value', value: v })

describe('RunRequests', () => {
  it('numbers each run and settles it with the reply that carries its number, in any order', async () => {
    const sent: Array<{ request: RunRequest; transfer: ArrayBuffer[] }> = []
    const runs = new RunRequests((request, transfer) => sent.push({ request, transfer }))
    const life = new HandleLifecycle()
    const buffer = new ArrayBuffer(8)
    const first = runs.run(square, { x: 2 }, [])
    const second = runs.run(square, { x: 3, buffer } as KeywordArgs, [buffer])
    expect(sent.map(({ request }) => [request.type, request.id, request.args['x']])).toEqual([
      ['run', 0, 2],
      ['run', 1, 3],
    ])
    expect(sent[1]?.transfer).toEqual([buffer])

    runs.receive({ type: 'reply', id: 1, reply: value(9) }, life)
    runs.receive({ type: 'reply', id: 1, reply: value(-1) }, life)
    runs.receive({ type: 'reply', id: 0, reply: value(4) }, life)
    expect(await Promise.all([first, second])).toEqual([value(4), value(9)])
  })

  it('marks the handle ready on the worker’s ready message', async () => {
    const runs = new RunRequests(() => {})
    const life = new HandleLifecycle()
    let ready = false
    void life.ready.then(() => (ready = true))
    runs.receive({ type: 'ready' }, life)
    await life.ready
    expect(ready).toBe(true)
  })

  it('rejects a run it could not send, and a later reply under that number is ignored', async () => {
    let fail = true
    const runs = new RunRequests(() => {
      if (fail) throw new DOMException('could not be cloned', 'DataCloneError')
    })
    const life = new HandleLifecycle()
    await expect(runs.run(square, { x: 1 }, [])).rejects.toMatchObject({ name: 'DataCloneError' })
    fail = false
    const next = runs.run(square, { x: 5 }, [])
    runs.receive({ type: 'reply', id: 0, reply: value(1) }, life)
    runs.receive({ type: 'reply', id: 1, reply: value(25) }, life)
    expect(await next).toEqual(value(25))
  })

  it('forgets the runs in flight on clear: they stay pending for the pool to answer', async () => {
    const runs = new RunRequests(() => {})
    const life = new HandleLifecycle()
    let settled = false
    void runs.run(square, { x: 2 }, []).then(() => (settled = true))
    runs.clear()
    runs.receive({ type: 'reply', id: 0, reply: value(4) }, life)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(settled).toBe(false)
  })
})
