// One signaling instance for the `signaling` bench section, in a process of its
// own so its memory can be read from /proc: prints {"url","pid"}, runs until stopped.
import '@tessera/mesh/node' // the native Ed25519 engine, as `tessera serve` has it
import { startSignalingServer } from '@tessera/signaling'

const [redis, secret] = process.argv.slice(2) as [string, string]
const server = await startSignalingServer({
  port: 0,
  secret,
  // One machine's clients share one address: lift the per-address and per-process caps the bench would hit.
  maxConnections: 20_000,
  maxTopics: 20_000,
  maxNewRoomsPerAddress: 20_000,
  ...(redis === '-' ? {} : { redis }),
})
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`)
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)))
