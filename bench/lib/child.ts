import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const BENCH_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * A bench script in a Node process of its own (worker_threads ignore
 * `--import tsx`, so a child process it is), talking JSON lines over stdio.
 */
export class ChildScript {
  readonly #lines: string[] = []
  readonly #waiters: Array<(line: string) => void> = []
  #exited = false

  private constructor(readonly process: ChildProcess, readonly name: string) {
    createInterface({ input: process.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const waiter = this.#waiters.shift()
      if (waiter !== undefined) waiter(line)
      else this.#lines.push(line)
    })
    process.stderr?.on('data', (chunk: Buffer) => globalThis.process.stderr.write(`[${name}] ${chunk.toString()}`))
    process.on('exit', () => (this.#exited = true))
  }

  static start(script: string, args: readonly string[]): ChildScript {
    return ChildScript.startWith([], script, args)
  }

  /** With extra Node flags, e.g. `--expose-gc`. */
  static startWith(nodeFlags: readonly string[], script: string, args: readonly string[]): ChildScript {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(BENCH_DIR, script), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: path.join(BENCH_DIR, '..'),
    })
    return new ChildScript(child, path.basename(script, '.ts'))
  }

  /** The next JSON line the script prints. */
  async next<T>(timeoutMs = 60_000): Promise<T> {
    const queued = this.#lines.shift()
    const line =
      queued ??
      (await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.name}: no answer within ${timeoutMs} ms`)), timeoutMs)
        this.#waiters.push((l) => {
          clearTimeout(timer)
          resolve(l)
        })
      }))
    const parsed = JSON.parse(line) as T & { error?: string }
    if (typeof parsed.error === 'string') throw new Error(`${this.name}: ${parsed.error}`)
    return parsed
  }

  /** Sends one JSON command and waits for its one-line answer. */
  async ask<T>(command: unknown, timeoutMs = 120_000): Promise<T> {
    this.process.stdin?.write(`${JSON.stringify(command)}\n`)
    return this.next<T>(timeoutMs)
  }

  async stop(): Promise<void> {
    if (this.#exited) return
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()))
    this.process.kill('SIGTERM')
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
}
