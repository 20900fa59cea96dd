// A room for the CLI's end-to-end files: `tessera serve` with a room admin's key
// and a donor in another process, each a real process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect } from 'vitest'
import { loadNodeIdentity } from '@tessera/mesh/node'
import type { SwarmReport } from '../../src/cli/swarm-report.ts'
import { complete, script, tessera, REPO, type Child } from './processes.ts'

export interface CliRoom {
  /** A scratch directory: `serve`'s static files, and data dirs (`admin` holds the room admin's key). */
  readonly dir: string
  readonly serve: Child
  readonly donor: Child
  readonly signaling: string
  /** `--signaling … --room …` for a command in this room. */
  connection(): string[]
  /** The donor's executed count, as it last printed it. */
  lastExecuted(): number
  /** `tessera status --json` in this room. */
  status(): Promise<SwarmReport>
  close(): Promise<void>
}

export async function startCliRoom(room: string): Promise<CliRoom> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'))
  await writeFile(join(dir, 'index.html'), '<title>test page</title>')
  // A host's key the server certifies as a room admin: `tessera stop --cache-dir` with its data may stop any job.
  const admin = await loadNodeIdentity(join(dir, 'admin', encodeURIComponent(room)))
  await admin.release()
  const serve = tessera(['serve', '--port', '0', '--static', dir, '--admin', `${room}=${admin.identity.peer}`])
  const [, port] = await serve.line(/serving on http:\/\/localhost:(\d+)\/\?room=default/)
  const signaling = `ws://127.0.0.1:${port}`
  const donor = script(join(REPO, 'packages/host/test/support/donor.ts'), [signaling, room])
  await donor.line(/^ready$/m)
  const connection = (): string[] => ['--signaling', signaling, '--room', room]
  return {
    dir,
    serve,
    donor,
    signaling,
    connection,
    lastExecuted: () => Number([...donor.stdout.matchAll(/executed (\d+)/g)].at(-1)?.[1] ?? 0),
    async status() {
      const { code, stdout, stderr } = await complete(tessera(['status', '--json', '--wait', '1500', ...connection()]))
      expect(code, stderr).toBe(0)
      return JSON.parse(stdout) as SwarmReport
    },
    async close() {
      await donor.stop()
      await serve.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** For the tests of one file: a room started before them and closed after; call the returned function in a test. */
export function useCliRoom(name: string): () => CliRoom {
  let room: CliRoom | undefined
  beforeAll(async () => {
    room = await startCliRoom(name)
  }, 90_000)
  afterAll(async () => {
    await room?.close()
  })
  return () => {
    if (room === undefined) throw new Error(`the CLI room ${name} did not start`)
    return room
  }
}
