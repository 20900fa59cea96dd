/**
 * The files in deploy/, as the loopback test runs them: read from the
 * repository and changed only where a test machine must differ (ports,
 * addresses, certificate paths, secrets). Every replacement must find what it
 * replaces, so a change to a deploy file that the test no longer covers fails
 * the test instead of being silently skipped.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url))

export class DeployFileError extends Error {
  override readonly name = 'DeployFileError'
}

export function deployFile(path: string): string {
  return readFileSync(`${DEPLOY_DIR}${path}`, 'utf8')
}

/** Replaces every match of `pattern` (which must match at least once) with `replacement`. */
function replaceAll(text: string, pattern: RegExp, replacement: string, file: string): string {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)
  if (!global.test(text)) throw new DeployFileError(`${file}: nothing matches ${pattern}`)
  return text.replace(global, () => replacement)
}

export interface NginxSiteOptions {
  /** `ADDRESS:PORT`s for the TLS server block (the production file listens on 443). */
  readonly https: readonly string[]
  /** `ADDRESS:PORT`s for the plain HTTP block (80 in production). */
  readonly http: readonly string[]
  /** Ports of the signaling instances on 127.0.0.1. */
  readonly instances: readonly number[]
  readonly certificate: string
  readonly key: string
  readonly acmeRoot: string
}

/** deploy/nginx/tessera.conf with these listen addresses, upstream instances and certificate. */
export function nginxSite(options: NginxSiteOptions): string {
  const file = 'nginx/tessera.conf'
  let text = deployFile(file)
  const listen = (addresses: readonly string[], suffix: string): string => addresses.map((address) => `listen ${address}${suffix};`).join('\n    ')
  text = replaceAll(text, /listen \[::\]:(80|443)( ssl)?;\n\s*/, '', file)
  text = replaceAll(text, /listen 80;/, listen(options.http, ''), file)
  text = replaceAll(text, /listen 443 ssl;/, listen(options.https, ' ssl'), file)
  text = replaceAll(text, /ssl_certificate\s+\S+;/, `ssl_certificate ${options.certificate};`, file)
  text = replaceAll(text, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${options.key};`, file)
  text = replaceAll(text, /root \/var\/www\/letsencrypt;/, `root ${options.acmeRoot};`, file)
  const upstream = /(upstream tessera_signaling \{[^}]*?)((?:\s*server 127\.0\.0\.1:\d+[^;]*;)+)/
  const match = upstream.exec(text)
  if (match === null) throw new DeployFileError(`${file}: no upstream tessera_signaling with server lines`)
  const options0 = /server 127\.0\.0\.1:\d+([^;]*);/.exec(match[2] as string)?.[1] ?? ''
  const servers = options.instances.map((port) => `\n    server 127.0.0.1:${port}${options0};`).join('')
  return text.replace(upstream, (_, head: string) => `${head}${servers}`)
}

/**
 * deploy/coturn/turnserver.conf with `set` keys replaced (or added) and `drop`
 * keys removed; a `true` value is a flag line (`allow-loopback-peers`).
 */
export function turnserverConf(set: Readonly<Record<string, string | true>>, drop: readonly string[]): string {
  const file = 'coturn/turnserver.conf'
  const lines = deployFile(file).split('\n')
  const keyOf = (line: string): string | undefined => (/^\s*#/.test(line) ? undefined : /^\s*([a-z0-9-]+)/.exec(line)?.[1])
  for (const key of drop) {
    if (!lines.some((line) => keyOf(line) === key)) throw new DeployFileError(`${file}: no ${key} to drop`)
  }
  const kept = lines.filter((line) => {
    const key = keyOf(line)
    return key === undefined || (!drop.includes(key) && !(key in set))
  })
  const added = Object.entries(set).map(([key, value]) => (value === true ? key : `${key}=${value}`))
  return [...kept, '# the loopback test:', ...added, ''].join('\n')
}

/** deploy/redis/tessera.conf on another port (`redis-server FILE` runs it alone). */
export function redisConf(port: number): string {
  return replaceAll(deployFile('redis/tessera.conf'), /^port \d+$/m, `port ${port}`, 'redis/tessera.conf')
}

/** deploy/tessera.env.example as a map, `overrides` applied (each must be a key the file sets). */
export function tesseraEnv(overrides: Readonly<Record<string, string>>): Record<string, string> {
  const file = 'tessera.env.example'
  const env: Record<string, string> = {}
  for (const line of deployFile(file).split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line)
    if (match !== null) env[match[1] as string] = match[2] as string
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in env)) throw new DeployFileError(`${file}: sets no ${key}`)
    env[key] = value
  }
  return env
}

/**
 * The `tessera` arguments of a systemd unit's ExecStart (what follows the
 * bin's path), with `%i` replaced by `instance`.
 */
export function unitCommand(unit: string, instance = ''): string[] {
  const line = /^ExecStart=(.*)$/m.exec(deployFile(`systemd/${unit}`))?.[1]
  if (line === undefined) throw new DeployFileError(`systemd/${unit}: no ExecStart`)
  const words = line.trim().split(/\s+/)
  const bin = words.findIndex((word) => word.endsWith('/tessera.mjs'))
  if (bin < 0) throw new DeployFileError(`systemd/${unit}: ExecStart does not run packages/host/bin/tessera.mjs`)
  return words.slice(bin + 1).map((word) => word.replaceAll('%i', instance))
}

/** `args` with each `--flag value` in `values` given that value; every flag must be there already. */
export function withFlags(args: readonly string[], values: Readonly<Record<string, string>>): string[] {
  const result = [...args]
  for (const [flag, value] of Object.entries(values)) {
    const at = result.indexOf(flag)
    if (at < 0 || at + 1 >= result.length) throw new DeployFileError(`no ${flag} <value> in ${result.join(' ')}`)
    result[at + 1] = value
  }
  return result
}
