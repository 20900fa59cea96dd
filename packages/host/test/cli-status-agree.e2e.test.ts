import { afterEach, describe, expect, it } from 'vitest'
import { MemoryExecutor } from '@tessera/core'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import type { CliIo } from '../src/cli/io.ts'
import { main } from '../src/cli/main.ts'
import type { SwarmReport } from '../src/cli/swarm-report.ts'

let signaling: SignalingServer | undefined
const open: Swarm[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
  await signaling?.close()
  signaling = undefined
})

async function tessera(argv: string[]): Promise<string> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, write: (text: string) => (stderr += text) },
    env: {},
    interrupted: () => new Promise(() => {}),
  }
  const code = await main(argv, io)
  expect([code, stderr]).toEqual([0, ''])
  return stdout
}

describe('tessera status', () => {
  it('the table and --json count the same peers, one after the other: never a status peer, this one or an earlier one', async () => {
    signaling = await startSignalingServer({ port: 0 })
    const room = 'agree'
    const donor = await connect({ signaling: signaling.url, room, workers: 2, cacheDir: false, executor: new MemoryExecutor() })
    open.push(donor)
    const flags = ['--signaling', signaling.url, '--room', room, '--wait', '800']
    const first = JSON.parse(await tessera(['status', '--json', ...flags])) as SwarmReport
    const table = await tessera(['status', ...flags])
    const second = JSON.parse(await tessera(['status', '--json', ...flags])) as SwarmReport
    for (const report of [first, second]) {
      expect(report.peers).toEqual([expect.objectContaining({ id: donor.peer.id, kind: 'host', workers: 2 })])
      expect(report.workers).toBe(2)
    }
    expect(table).toContain('peers: 1\n')
    expect(table).toMatch(new RegExp(`${donor.peer.id}\\s+host\\s+2\\s`))
    expect(table).toContain('workers: 2\n')
  }, 60_000)
})
