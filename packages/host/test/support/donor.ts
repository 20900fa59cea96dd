// A donor in a process of its own: joins the room with one worker thread and
// no storage, says "ready", then prints how many tasks it has run, every
// quarter second, until SIGTERM.
import { connect } from '@tessera/host'

const [signaling, room] = process.argv.slice(2) as [string, string]
const swarm = await connect({ signaling, room, workers: 1, cacheDir: false })
process.stdout.write('ready\n')
const timer = setInterval(() => process.stdout.write(`executed ${swarm.status().executed}\n`), 250)
process.on('SIGTERM', () => {
  clearInterval(timer)
  void swarm.close().then(() => process.exit(0))
})
