/**
 * A real coturn (`turnserver`, the Debian package; scripts/ensure-coturn.sh
 * installs it) on loopback for one test file: shared-secret auth, no TLS, no
 * CLI, a port of its own and a small relay port range. Its log tells the test
 * which usernames it allocated relays for, so a test can prove its traffic
 * went through it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exitOf, freePort, stopChild } from '@tessera/signaling/testing'

export const TURNSERVER_PATH = process.env['TURNSERVER_PATH'] ?? '/usr/bin/turnserver'

export interface Coturn {
  /** `turn:127.0.0.1:PORT` */
  readonly url: string
  readonly secret: string
  /** Everything coturn logged so far. */
  log(): string
  /** Usernames coturn allocated a relay for (`ALLOCATE processed, success`). */
  allocations(): string[]
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
// A test that dies before its afterAll must not leave a turnserver behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Where and how a test's coturn runs: what `configure` turns into turnserver's arguments. */
export interface CoturnSettings {
  readonly port: number
  readonly secret: string
  readonly minPort: number
  readonly maxPort: number
  /** A private directory for its pid file, user database and any configuration file. */
  readonly dir: string
}

/** Everything on the command line, no configuration file. */
function commandLine({ port, secret, minPort, maxPort, dir }: CoturnSettings): string[] {
  return [
    '-n',
    `--listening-ip=127.0.0.1`,
    `--relay-ip=127.0.0.1`,
    `--listening-port=${port}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=tessera.test',
    '--allow-loopback-peers',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-multicast-peers',
    `--min-port=${minPort}`,
    `--max-port=${maxPort}`,
    '--verbose',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--userdb=${join(dir, 'turndb')}`,
  ]
}

/**
 * `configure` makes turnserver's arguments (a configuration file of its own,
 * say); it must keep coturn on 127.0.0.1 and logging ALLOCATEs to stdout.
 */
export async function startCoturn(configure: (settings: CoturnSettings) => string[] | Promise<string[]> = commandLine): Promise<Coturn> {
  if (!existsSync(TURNSERVER_PATH)) throw new Error(`coturn not found at ${TURNSERVER_PATH}: run \`apt-get install -y coturn\` (scripts/ensure-coturn.sh) or set TURNSERVER_PATH`)
  const dir = await mkdtemp(join(tmpdir(), 'tessera-coturn-'))
  const port = await freePort()
  const secret = randomBytes(18).toString('base64url')
  // Ports are picked at random in a range no test server uses, so parallel runs rarely share one.
  const minPort = 40_000 + Math.floor(Math.random() * 200) * 100
  const child = spawn(TURNSERVER_PATH, await configure({ port, secret, minPort, maxPort: minPort + 99, dir }), { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let log = ''
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = exitOf(child)
  const stop = async (): Promise<void> => {
    await stopChild(child, exited, 2_000)
    running.delete(child)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await answersStun(port, () => child.exitCode !== null)
  } catch (error) {
    await stop()
    throw new Error(`coturn did not start: ${(error as Error).message}\n${log.slice(-2000)}`)
  }
  return {
    url: `turn:127.0.0.1:${port}`,
    secret,
    log: () => log,
    allocations: () => [...log.matchAll(/user <([^>]*)>: incoming packet ALLOCATE processed, success/g)].map((match) => match[1] as string),
    stop,
  }
}

/** Resolves once coturn answers a STUN Binding request on `port` (RFC 5389: 20-byte header, magic cookie). */
async function answersStun(port: number, died: () => boolean, timeoutMs = 5_000): Promise<void> {
  const socket = createSocket('udp4')
  const request = Buffer.alloc(20)
  request.writeUInt16BE(0x0001, 0)
  request.writeUInt32BE(0x2112a442, 4)
  randomBytes(12).copy(request, 8)
  let timer: ReturnType<typeof setInterval> | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs
      timer = setInterval(() => {
        if (died()) reject(new Error('turnserver exited'))
        else if (Date.now() > deadline) reject(new Error(`no STUN answer on port ${port} in ${timeoutMs} ms`))
        else socket.send(request, port, '127.0.0.1')
      }, 50)
      socket.on('message', (message) => {
        if (message.length >= 20 && message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(request.subarray(8, 20))) {
          resolve()
        }
      })
    })
  } finally {
    clearInterval(timer)
    socket.close()
  }
}
