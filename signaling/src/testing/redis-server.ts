/**
 * A throwaway `redis-server` for tests: on a free loopback port, with nothing
 * written to disk, stopped by `stop()`. Needs Debian's redis-server (installed
 * by scripts/ensure-redis.sh, or REDIS_SERVER naming another binary).
 */
import { spawn } from 'node:child_process'
import { Socket } from 'node:net'
import { freePort, stopChild } from './processes.ts'

export interface TestRedis {
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

export class RedisServerMissingError extends Error {
  override readonly name = 'RedisServerMissingError'
}

/** `port`: a given one, to start Redis again where clients expect it (a restart that lost everything). */
export async function startTestRedis(options: { readonly port?: number } = {}): Promise<TestRedis> {
  const binary = process.env['REDIS_SERVER'] ?? 'redis-server'
  const port = options.port ?? (await freePort())
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new RedisServerMissingError(`cannot start ${binary} (run scripts/ensure-redis.sh): ${error.message}`)))
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code} before accepting connections: ${stderr.trim()}`)))
  })
  failed.catch(() => {})
  await Promise.race([waitForPort(port), failed])
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopChild(child, exited),
  }
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket()
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
      socket.connect(port, '127.0.0.1')
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`redis-server did not accept connections on port ${port}`)
}
