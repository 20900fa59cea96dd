// One signaling instance in a process of its own, sharing rooms through Redis,
// so a test can kill it (SIGKILL) as a machine dies. Prints its URL, then runs.
import { startSignalingServer } from '@tessera/signaling'

const [redis, secret] = process.argv.slice(2) as [string, string]
const server = await startSignalingServer({ port: 0, secret, redis: { url: redis, heartbeatMs: 250, ttlMs: 1_000 } })
process.stdout.write(`${server.url}\n`)
