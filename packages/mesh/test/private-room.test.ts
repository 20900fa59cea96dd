import { afterEach, describe, expect, it } from 'vitest'
import { Identity } from '@tessera/core'
import { Mesh } from '@tessera/mesh'
import { nodeRtc, nodeWebSocket } from '@tessera/mesh/node'
import { signRoomToken, startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { waitFor } from './support/swarm.ts'

const SECRET = 'a secret of the operator, 32+ chars'
let signaling: SignalingServer | undefined
let meshes: Mesh[] = []

afterEach(async () => {
  await Promise.all(meshes.map((m) => m.close()))
  meshes = []
  await signaling?.close()
})

function join(room: string, token?: string): Mesh {
  const mesh = new Mesh({
    signaling: (signaling as SignalingServer).url,
    room,
    identity: Identity.generate(),
    meta: { kind: 'node' },
    rtc: nodeRtc,
    WebSocket: nodeWebSocket,
    maintainMs: 200,
    ...(token === undefined ? {} : { token }),
  })
  meshes.push(mesh)
  return mesh
}

describe('private rooms', () => {
  it('refuses a peer without a valid token with a clear, typed error, and admits one with a token', async () => {
    signaling = await startSignalingServer({ port: 0, secret: SECRET })
    const room = 'private:lab'
    await expect(join(room).ready).rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringMatching(/private:lab.*private/) })
    const expired = signRoomToken({ secret: SECRET, room, expiresInSeconds: 1, now: Date.now() / 1000 - 60 })
    await expect(join(room, expired).ready).rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringMatching(/expired/) })
    const forged = signRoomToken({ secret: 'some other secret, also 32 chars', room, expiresInSeconds: 60 })
    await expect(join(room, forged).ready).rejects.toMatchObject({ name: 'AccessDeniedError' })

    const a = join(room, signRoomToken({ secret: SECRET, room, expiresInSeconds: 60 }))
    const b = join(room, signRoomToken({ secret: SECRET, room, expiresInSeconds: 60 }))
    await Promise.all([a.ready, b.ready])
    await waitFor('the admitted peers to link', () => a.openPeers().length === 1 && b.openPeers().length === 1)
    // The refused peers never reached anyone.
    expect(a.openPeers()).toEqual([b.self])
  })
})
