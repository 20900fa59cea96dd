/** Which console method wrote a line: `info` and `debug` count as `log`. */
export type LogStream = 'log' | 'warn' | 'error'

export interface LogLine {
  readonly stream: LogStream
  readonly text: string
}

/** A task's console output, as captured where it ran: bounded, and saying so when cut. */
export interface TaskLogs {
  readonly lines: readonly LogLine[]
  /** Lines or characters were left out to stay within the caps. */
  readonly truncated: boolean
}

/**
 * Caps on one task's output. Logs travel in the job document next to the
 * report, once per run, so a chatty task must not flood every peer's copy.
 */
export const TASK_LOG_LIMITS = { lines: 50, lineChars: 500, totalChars: 8_192 } as const

/** Collects one run's console output within `TASK_LOG_LIMITS`. */
export class LogCapture {
  readonly #lines: LogLine[] = []
  #chars = 0
  #truncated = false

  write(stream: LogStream, parts: readonly unknown[]): void {
    if (this.#lines.length >= TASK_LOG_LIMITS.lines) {
      this.#truncated = true
      return
    }
    let text = parts.map(formatPart).join(' ')
    const room = Math.min(TASK_LOG_LIMITS.lineChars, TASK_LOG_LIMITS.totalChars - this.#chars)
    if (text.length > room) {
      text = text.slice(0, Math.max(0, room))
      this.#truncated = true
    }
    if (text.length === 0 && room <= 0) return
    this.#chars += text.length
    this.#lines.push({ stream, text })
  }

  /** The output so far, or undefined when the run printed nothing. */
  logs(): TaskLogs | undefined {
    return this.#lines.length === 0 && !this.#truncated ? undefined : { lines: [...this.#lines], truncated: this.#truncated }
  }
}

/**
 * The same output within the caps, whatever produced it (an executor in
 * another realm, a worker): a report whose logs broke the schema would be
 * dropped whole by every reader, its outcome with it.
 */
export function boundTaskLogs(logs: TaskLogs | undefined): TaskLogs | undefined {
  if (logs === undefined || !Array.isArray(logs.lines)) return undefined
  const capture = new LogCapture()
  for (const line of logs.lines) {
    const stream: LogStream = line.stream === 'warn' || line.stream === 'error' ? line.stream : 'log'
    capture.write(stream, [String(line.text)])
  }
  const bounded = capture.logs()
  return bounded === undefined ? undefined : { lines: bounded.lines, truncated: bounded.truncated || logs.truncated === true }
}

function formatPart(part: unknown): string {
  if (typeof part === 'string') return part
  if (part instanceof Error) return `${part.name}: ${part.message}`
  try {
    const json = JSON.stringify(part, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))
    if (json !== undefined) return json
  } catch {
    // cycles: fall through
  }
  return String(part)
}

let current: LogCapture | undefined

/**
 * The `console` compiled pure functions see. While a run is being captured
 * its output goes to that run's `LogCapture` (and not to this realm's console);
 * otherwise to this realm's console as before. Workers run one task at a time,
 * so the current capture is the run's own; where runs share a realm (the
 * simulator), an async task's output after its first `await` may land in a run
 * started meanwhile.
 */
export const routedConsole: Readonly<Record<string, (...parts: unknown[]) => void>> = Object.freeze({
  log: (...parts: unknown[]) => route('log', parts),
  info: (...parts: unknown[]) => route('log', parts),
  debug: (...parts: unknown[]) => route('log', parts),
  warn: (...parts: unknown[]) => route('warn', parts),
  error: (...parts: unknown[]) => route('error', parts),
  trace: () => {},
  table: (...parts: unknown[]) => route('log', parts),
  dir: (...parts: unknown[]) => route('log', parts),
  assert: (condition: unknown, ...parts: unknown[]) => {
    if (condition !== true && !condition) route('error', ['Assertion failed', ...parts])
  },
  time: () => {},
  timeEnd: () => {},
  group: () => {},
  groupEnd: () => {},
  count: () => {},
})

function route(stream: LogStream, parts: readonly unknown[]): void {
  if (current !== undefined) current.write(stream, parts)
  else (globalThis as unknown as { console?: Partial<Record<LogStream, (...parts: unknown[]) => void>> }).console?.[stream]?.(...parts)
}

/** Runs `body` with its console output captured (the synchronous part, and later output while no other run started). */
export async function withCapturedLogs<T>(body: () => Promise<T> | T): Promise<{ value: T; logs: TaskLogs | undefined } | { error: unknown; logs: TaskLogs | undefined }> {
  const capture = new LogCapture()
  current = capture
  try {
    const value = await body()
    return { value, logs: capture.logs() }
  } catch (error) {
    return { error, logs: capture.logs() }
  } finally {
    if (current === capture) current = undefined
  }
}
