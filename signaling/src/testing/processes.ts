import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** A TCP port free on 127.0.0.1 now, for a server a test or bench starts. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return address.port
}

/** A child's exit, as a promise made before anything can kill it (so no exit is missed). */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => child.once('exit', () => resolve()))
}

/** Stops a child a test started: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
