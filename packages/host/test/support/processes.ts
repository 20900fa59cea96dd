// Real child processes for the CLI tests: the `tessera` bin as npm links it,
// and scripts run through tsx, with their output collected line by line.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/tessera.mjs', import.meta.url))

export interface Child {
  readonly process: ChildProcess
  stdout: string
  stderr: string
  readonly exited: Promise<number | null>
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  stop(): Promise<void>
}

function watch(child: ChildProcess): Child {
  const handle: Child = {
    process: child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    async line(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const match = pattern.exec(handle.stdout)
        if (match !== null) return match
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no line matching ${pattern} (exit ${child.exitCode}); stdout:\n${handle.stdout}\nstderr:\n${handle.stderr}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await handle.exited
    },
  }
  child.stdout?.on('data', (chunk: Buffer) => (handle.stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (handle.stderr += chunk.toString()))
  return handle
}

/** `tessera <args>`, from the repository root, as `npx tessera` runs it. */
export function tessera(args: readonly string[], env: Record<string, string> = {}): Child {
  return watch(spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, TESSERA_DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }))
}

/** Any other program (python3, say), from the repository root. */
export function program(command: string, args: readonly string[], env: Record<string, string> = {}): Child {
  return watch(spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }))
}

/** A TypeScript script through tsx (Node 20 worker threads need tsx registered per process); `stdin` gives it a pipe to write to (`process.stdin`). */
export function script(path: string, args: readonly string[], env: Record<string, string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): Child {
  return watch(spawn(process.execPath, ['--import', 'tsx', path, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: [stdin, 'pipe', 'pipe'] }))
}

/** Runs a command to its end. */
export async function complete(child: Child): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const code = await child.exited
  return { code, stdout: child.stdout, stderr: child.stderr }
}

/** A port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
