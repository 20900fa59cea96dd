import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { connect, type ConnectOptions, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'

/**
 * A signaling server, `connect()` hosts and data directories for one test file:
 * each test starts what it needs, and all of it is closed and removed after it.
 */
export function useTestHosts(): { signaling(): Promise<SignalingServer>; host(options: ConnectOptions): Promise<Swarm>; dataDir(): Promise<string> } {
  let server: SignalingServer | undefined
  const hosts: Swarm[] = []
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((s) => s.close()))
    await server?.close()
    server = undefined
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return {
    async signaling() {
      return (server ??= await startSignalingServer({ port: 0 }))
    },
    async host(options) {
      const swarm = await connect({ signaling: (await this.signaling()).url, ...options })
      hosts.push(swarm)
      return swarm
    },
    async dataDir() {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-test-'))
      dirs.push(dir)
      return dir
    },
  }
}
