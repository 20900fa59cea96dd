/**
 * `npm start`: the main job on embedded defaults. Starts the signaling server
 * (port `--port`, `PORT`, or 8787), shows the mesh and the core model at work,
 * then keeps the signaling server up for tabs and hosts to join, until Ctrl-C.
 * `--once` exits after the demo.
 */
import { parseArgs } from 'node:util'
import { DEFAULT_SIGNALING_PORT, startSignalingServer } from '@tessera/signaling'
import { memoizedCalls, simulatedSwarm } from '../core-demo/core-demo.ts'
import { meshDemo } from '../mesh-demo/mesh-demo.ts'

const { values } = parseArgs({ options: { port: { type: 'string' }, once: { type: 'boolean' } } })
const port = Number(values.port ?? process.env.PORT ?? DEFAULT_SIGNALING_PORT)

let signaling
try {
  signaling = await startSignalingServer({ port })
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code
  console.error(
    code === 'EADDRINUSE'
      ? `port ${port} is in use: stop whatever holds it, or run PORT=${port + 1} npm start`
      : `could not start the signaling server: ${(error as Error).message}`,
  )
  process.exit(1)
}
console.log(`Tessera signaling server on ${signaling.url} (health: http://127.0.0.1:${signaling.port}/healthz, metrics: /metrics)`)

try {
  await meshDemo(signaling.url)
  await memoizedCalls()
  await simulatedSwarm()
} catch (error) {
  console.error(error)
  await signaling.close()
  process.exit(1)
}

if (values.once === true) {
  await signaling.close()
  process.exit(0)
}
console.log(`\nThe signaling server keeps running on ${signaling.url}: peers can join room "default". Ctrl-C stops it.`)
const stop = async (): Promise<void> => {
  await signaling.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
