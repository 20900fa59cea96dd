// A second process using a data dir's identity, for fs-identity.test.ts:
//   node --import tsx identity-process.ts <dir>
// prints {"peer", "file"} as one JSON line, then holds the identity until its
// stdin closes or says "exit" (and exits without releasing: the exit hook must).
import { createInterface } from 'node:readline'
import { loadNodeIdentity } from '@tessera/mesh/node'

const [dir] = process.argv.slice(2) as [string]
const stored = await loadNodeIdentity(dir)
console.log(JSON.stringify({ peer: stored.identity.peer, file: stored.file ?? null }))
const lines = createInterface({ input: process.stdin })
for await (const line of lines) if (line.trim() === 'exit') break
process.exit(0)
