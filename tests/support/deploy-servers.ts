/**
 * The servers of deploy/ that are not Tessera's own, started for one test from
 * their deploy/ configuration: nginx in the foreground with its own prefix
 * (Debian's package; scripts/ensure-nginx.sh installs it), redis-server, and a
 * self-signed certificate made with openssl. Each start returns a stop.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { writeFile, mkdir, readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { exitOf, stopChild } from '@tessera/signaling/testing'

export const NGINX_PATH = process.env['NGINX_PATH'] ?? '/usr/sbin/nginx'
export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server'

export class ServerStartError extends Error {
  override readonly name = 'ServerStartError'
}

const running = new Set<ChildProcess>()
// A test that dies before its afterAll must not leave these behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export interface Started {
  readonly child: ChildProcess
  output(): string
  stop(): Promise<void>
}

function supervise(child: ChildProcess): Started {
  running.add(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = exitOf(child)
  return {
    child,
    output: () => output,
    async stop() {
      await stopChild(child, exited)
      running.delete(child)
    },
  }
}

export { freePort } from '@tessera/signaling/testing'

/** Resolves once something accepts TCP connections on host:port. */
export async function listening(host: string, port: number, started: Started, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (started.child.exitCode !== null || Date.now() > deadline) {
      await started.stop()
      throw new ServerStartError(`${what} did not listen on ${host}:${port} (exit ${started.child.exitCode}):\n${started.output().slice(-2000)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
}

/** A self-signed certificate (its own CA) for these DNS names and IP addresses, in `dir`. */
export async function selfSignedCertificate(dir: string, names: readonly string[]): Promise<{ certificate: string; key: string }> {
  const certificate = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  const san = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',')
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${names[0] ?? 'localhost'}`, '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', certificate,
  ])
  return { certificate, key }
}

/**
 * nginx in the foreground with `site` (a server configuration, as in
 * sites-enabled) inside a minimal main configuration whose every path is in
 * `dir`, so it needs no root and touches nothing of the system's nginx.
 */
export async function startNginx(dir: string, site: string, probe: { host: string; port: number }): Promise<Started & { errorLog(): Promise<string> }> {
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, temp), { recursive: true })
  await writeFile(join(dir, 'tessera.conf'), site)
  const errorLog = join(dir, 'error.log')
  // As root nginx would hand its workers to `nobody`, who cannot enter this private temp dir.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : ''
  await writeFile(
    join(dir, 'nginx.conf'),
    `${user}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 256; }
http {
    access_log ${join(dir, 'access.log')};
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};
    include ${join(dir, 'tessera.conf')};
}
`,
  )
  const child = spawn(NGINX_PATH, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const started = supervise(child)
  child.once('error', () => {})
  await listening(probe.host, probe.port, started, `nginx (${NGINX_PATH}; scripts/ensure-nginx.sh installs it)`).catch(async (error: Error) => {
    const log = await readFile(errorLog, 'utf8').catch(() => '')
    throw new ServerStartError(`${error.message}\n${log.slice(-2000)}`)
  })
  return { ...started, errorLog: () => readFile(errorLog, 'utf8').catch(() => '') }
}

/** redis-server running `config` (a whole configuration file's text) from `dir`. */
export async function startRedis(dir: string, config: string, port: number): Promise<Started> {
  const file = join(dir, 'redis.conf')
  await writeFile(file, config)
  const child = spawn(REDIS_SERVER, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  child.once('error', () => {})
  const started = supervise(child)
  await listening('127.0.0.1', port, started, `${REDIS_SERVER} (scripts/ensure-redis.sh installs it)`)
  return started
}
