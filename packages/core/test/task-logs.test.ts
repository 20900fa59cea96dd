import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { boundTaskLogs, LogCapture, TASK_LOG_LIMITS, type TaskLogs } from '@tessera/core'
import { taskLogsSchema } from '../src/swarm/task-logs-schema.ts'

describe('task logs: bounded where captured, bounded again before writing, checked where read', () => {
  it('LogCapture keeps lines within the caps and says when it cut', () => {
    const capture = new LogCapture()
    expect(capture.logs()).toBeUndefined()
    capture.write('log', ['a', 1, { b: 2n }, new TypeError('t')])
    capture.write('warn', ['x'.repeat(TASK_LOG_LIMITS.lineChars + 10)])
    const logs = capture.logs()
    expect(logs?.lines[0]).toEqual({ stream: 'log', text: 'a 1 {"b":"2n"} TypeError: t' })
    expect(logs?.lines[1]?.text).toHaveLength(TASK_LOG_LIMITS.lineChars)
    expect(logs?.truncated).toBe(true)
    for (let i = 0; i < 1_000; i++) capture.write('log', ['y'.repeat(400)])
    const full = capture.logs() as TaskLogs
    expect(full.lines.reduce((n, l) => n + l.text.length, 0)).toBeLessThanOrEqual(TASK_LOG_LIMITS.totalChars)
    expect(v.is(taskLogsSchema, full)).toBe(true)
  })

  it('boundTaskLogs brings an executor’s oversized or odd output within what readers accept', () => {
    const hostile = { lines: [...Array.from({ length: 80 }, () => ({ stream: 'shout', text: 'z'.repeat(2_000) }))], truncated: false } as unknown as TaskLogs
    expect(v.is(taskLogsSchema, hostile)).toBe(false)
    const bounded = boundTaskLogs(hostile) as TaskLogs
    expect(v.is(taskLogsSchema, bounded)).toBe(true)
    expect(bounded.truncated).toBe(true)
    expect(bounded.lines.every((l) => l.stream === 'log')).toBe(true)
    expect(boundTaskLogs(undefined)).toBeUndefined()
    expect(boundTaskLogs({ lines: 'nope' } as unknown as TaskLogs)).toBeUndefined()
  })

  it('the schema refuses too many lines, too long a line, too much in all and unknown streams', () => {
    const line = (text: string, stream = 'log') => ({ stream, text })
    expect(v.is(taskLogsSchema, { lines: [line('ok')], truncated: false })).toBe(true)
    expect(v.is(taskLogsSchema, { lines: Array.from({ length: TASK_LOG_LIMITS.lines + 1 }, () => line('a')), truncated: true })).toBe(false)
    expect(v.is(taskLogsSchema, { lines: [line('a'.repeat(TASK_LOG_LIMITS.lineChars + 1))], truncated: false })).toBe(false)
    expect(v.is(taskLogsSchema, { lines: Array.from({ length: 20 }, () => line('a'.repeat(TASK_LOG_LIMITS.lineChars))), truncated: false })).toBe(false)
    expect(v.is(taskLogsSchema, { lines: [line('a', 'debug')], truncated: false })).toBe(false)
    expect(v.is(taskLogsSchema, { lines: [line('a')] })).toBe(false)
  })
})
