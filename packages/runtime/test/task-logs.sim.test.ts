import { describe, expect, it } from 'vitest'
import { TASK_LOG_LIMITS } from '@tessera/core'
import type { TaskLog } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const CALM = { minDelayMs: 2, maxDelayMs: 10, dropRate: 0, reorderRate: 0 }

describe('task console output reaches the submitter', () => {
  it('hands each line to onLog with its call, stream and donor, for parallel, stream and remote', async () => {
    const sim = new SimSwarm({ seed: 161, donors: 3, conditions: CALM, taskDurationMs: [5, 20] })
    const host = sim.host('host')
    const noisy = host.pure(
      ({ x }: { x: number }) => {
        console.log('start', x, { twice: x * 2 })
        if (x === 2) console.warn(`careful with ${x}`)
        if (x === 3) {
          console.error('giving up on', x)
          throw new RangeError('three')
        }
        return x
      },
      { name: 'noisy' },
    )
    const lines: TaskLog[] = []
    const settled = await sim.settle(noisy.parallel([1, 2, 3].map((x) => ({ x })), { settle: true, onLog: (line) => lines.push(line) }))
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    const byCall = (i: number) => lines.filter((l) => l.index === i).map((l) => [l.stream, l.text])
    expect(byCall(0)).toEqual([['log', 'start 1 {"twice":2}']])
    expect(byCall(1)).toEqual([['log', 'start 2 {"twice":4}'], ['warn', 'careful with 2']])
    expect(byCall(2)).toEqual([['log', 'start 3 {"twice":6}'], ['error', 'giving up on 3']])
    const donors = new Set(sim.donors.map((d) => d.id))
    for (const line of lines) {
      expect(donors.has(line.peer)).toBe(true)
      expect(line.args).toEqual({ x: line.index + 1 })
      expect(line.truncated).toBe(false)
    }

    // Cached calls print nothing; new ones through stream and remote do.
    const more: TaskLog[] = []
    await sim.settle(
      (async () => {
        for await (const r of noisy.stream([{ x: 1 }, { x: 7 }], { onLog: (line) => more.push(line) })) void r
      })(),
    )
    expect(more.map((l) => [l.index, l.text])).toEqual([[1, 'start 7 {"twice":14}']])
    const remote: TaskLog[] = []
    expect(await sim.settle(noisy.remote({ x: 9 }, { onLog: (line) => remote.push(line) }))).toBe(9)
    expect(remote.map((l) => l.text)).toEqual(['start 9 {"twice":18}'])
    await sim.close([host])
  })

  it('caps a chatty task, says so on its last line, and replaces terminal escapes', async () => {
    const sim = new SimSwarm({ seed: 162, donors: 1, conditions: CALM, taskDurationMs: [5, 20] })
    const host = sim.host('host')
    const chatty = host.pure(
      ({ n }: { n: number }) => {
        console.log('\u001b[2J\u001b]0;owned\u0007cleared')
        for (let i = 0; i < n; i++) console.log(`line ${i}`)
        return n
      },
      { name: 'chatty' },
    )
    const lines: TaskLog[] = []
    expect(await sim.settle(chatty.parallel([{ n: 500 }], { onLog: (line) => lines.push(line) }))).toEqual([500])
    expect(lines).toHaveLength(TASK_LOG_LIMITS.lines)
    expect(lines[0]?.text).toBe('\ufffd[2J\ufffd]0;owned\ufffdcleared')
    expect(lines.at(-1)?.truncated).toBe(true)
    expect(lines.slice(0, -1).every((l) => !l.truncated)).toBe(true)
    await sim.close([host])
  })

  it('a call on the host’s own worker hands its output to onLog too', async () => {
    const sim = new SimSwarm({ seed: 163, donors: 0, conditions: CALM, taskDurationMs: [5, 20] })
    const host = sim.host('host', 1)
    const local = host.pure(({ x }: { x: number }) => (console.info('here', x), x + 1), { name: 'local' })
    const lines: TaskLog[] = []
    expect(await sim.settle(local({ x: 1 }, { onLog: (line) => lines.push(line) }))).toBe(2)
    expect(lines).toMatchObject([{ index: 0, args: { x: 1 }, stream: 'log', text: 'here 1', peer: host.peer.id }])
    await sim.close([host])
  })
})
