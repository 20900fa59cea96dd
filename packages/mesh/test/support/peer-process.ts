// A mesh peer in a process of its own, so a test can kill it with SIGKILL: no
// goodbye, no closed sockets handshake, exactly like a laptop lid closing.
import { startNodePeer } from '@tessera/mesh/node'
import { TEST_LIMITS } from './swarm.ts'

const [signaling, room] = process.argv.slice(2) as [string, string]
const peer = await startNodePeer({ signaling, room, dir: false, limits: TEST_LIMITS, maintainMs: 300, syncIntervalMs: 1_000 })
peer.swarm.doc.getMap('roll').set(peer.id, 'child')
process.stdout.write(`${JSON.stringify({ id: peer.id })}\n`)
