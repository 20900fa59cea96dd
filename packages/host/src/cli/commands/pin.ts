import { PinningHost, type PinningStats } from '../../pin/pinning-host.ts'
import type { S3MirrorOptions } from '../../pin/s3-mirror.ts'
import { stringFlag, type ParsedCommand } from '../args.ts'
import { formatBytes, parseByteSize } from '../byte-size.ts'
import { UsageError } from '../cli-errors.ts'
import { closeQuietly } from '../close-quietly.ts'
import { connectionFrom } from '../connection.ts'
import { parseDuration } from '../duration.ts'
import type { CliIo } from '../io.ts'
import { assertSignalingReachable } from '../reach-signaling.ts'

const DEFAULT_QUOTA = '10GB'

/** `tessera pin`: keeps the room's store on disk and serves it, printing a status line now and then, until Ctrl-C. */
export async function pinCommand(parsed: ParsedCommand, io: CliIo): Promise<number> {
  const connection = connectionFrom('pin', parsed.flags, io.env)
  const dir = stringFlag(parsed.flags, 'dir')
  if (dir === undefined || dir === '') throw new UsageError('--dir is required: where the room\'s data is kept', 'pin')
  const quotaText = stringFlag(parsed.flags, 'quota') ?? DEFAULT_QUOTA
  const quotaBytes = parseByteSize(quotaText)
  if (quotaBytes === undefined) throw new UsageError(`--quota must be a size such as 500MB, 10GB or 2GiB, got "${quotaText}"`, 'pin')
  const resultWindowMs = seconds('result-window', stringFlag(parsed.flags, 'result-window') ?? '1h') * 1_000
  const intervalMs = seconds('interval', stringFlag(parsed.flags, 'interval') ?? '30s') * 1_000
  const s3 = s3Options(parsed.flags)
  await assertSignalingReachable({ url: connection.signaling, ...connection })
  const host = await PinningHost.start({ ...connection, dir, quotaBytes, resultWindowMs, ...(s3 === undefined ? {} : { s3 }) })
  const status = (): void => void io.stdout.write(`${formatPinStatus(host.stats())}\n`)
  io.stdout.write(`pinning room "${connection.room}" into ${dir} as peer ${host.peer.id}; Ctrl-C stops it\n`)
  status()
  const timer = setInterval(status, intervalMs)
  try {
    const signal = await io.interrupted()
    io.stderr.write(`${signal}: closing\n`)
  } finally {
    clearInterval(timer)
    await closeQuietly(() => host.close())
  }
  status()
  return 0
}

/** One line: what it holds against its quota, what is still missing, what it fetched, evicted and served. */
export function formatPinStatus(stats: PinningStats): string {
  return (
    `pin: values ${stats.values}, blobs ${stats.blobs} (${formatBytes(stats.bytes)} of ${formatBytes(stats.quotaBytes)}), missing ${stats.missing}; ` +
    `fetched ${stats.fetched}, evicted ${stats.evicted}; served ${stats.served} to ${stats.peersServed} peers; ` +
    `open jobs ${stats.openJobs}; linked to ${stats.linked}` +
    (stats.s3 === undefined ? '' : `; s3 uploaded ${stats.s3.uploaded}, restored ${stats.s3.restored}, pending ${stats.s3.pending}`)
  )
}

/** `--s3-*`: the bucket to write through to, if one is named. */
function s3Options(flags: ParsedCommand['flags']): S3MirrorOptions | undefined {
  const bucket = stringFlag(flags, 's3-bucket')
  const endpoint = stringFlag(flags, 's3-endpoint')
  const region = stringFlag(flags, 's3-region')
  const prefix = stringFlag(flags, 's3-prefix')
  if (bucket === undefined || bucket === '') {
    if (endpoint !== undefined || region !== undefined || prefix !== undefined) throw new UsageError('--s3-endpoint, --s3-region and --s3-prefix need --s3-bucket', 'pin')
    return undefined
  }
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) throw new UsageError(`--s3-endpoint must be an http:// or https:// URL, got "${endpoint}"`, 'pin')
  return { bucket, ...(endpoint === undefined ? {} : { endpoint }), ...(region === undefined ? {} : { region }), ...(prefix === undefined ? {} : { prefix }) }
}

function seconds(flag: string, text: string): number {
  const value = parseDuration(text)
  if (value === undefined) throw new UsageError(`--${flag} must be a time such as 30, 30s, 5m, 1h or 7d, got "${text}"`, 'pin')
  return value
}
