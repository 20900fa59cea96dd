import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { IDENTITY_FILE, IDENTITY_LOCK_FILE, IdentityFileError, loadNodeIdentity, startNodePeer, type NodeIdentity } from '@tessera/mesh/node'
import { useTempDirs } from './support/temp-dirs.ts'

const IDENTITY_PROCESS = fileURLToPath(new URL('./support/identity-process.ts', import.meta.url))
const NOBODY = 'ws://127.0.0.1:9'

describe('a Node peer identity kept in its data dir', () => {
  const freshDir = useTempDirs('tessera-identity-')
  const held: NodeIdentity[] = []
  const children: ChildProcess[] = []
  afterEach(async () => {
    await Promise.all(held.splice(0).map((stored) => stored.release()))
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  const load = async (dir: string | false): Promise<NodeIdentity> => {
    const stored = await loadNodeIdentity(dir)
    held.push(stored)
    return stored
  }

  it('is created once, in a file only its owner can read, and loaded again after release', async () => {
    const dir = await freshDir()
    const first = await load(dir)
    expect(first.file).toBe(join(dir, IDENTITY_FILE))
    expect(first.ephemeral).toBeUndefined()
    expect((await stat(join(dir, IDENTITY_FILE))).mode & 0o777).toBe(0o600)
    const content = JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as Record<string, unknown>
    expect(content).toEqual({ version: 1, peer: first.identity.peer, secretKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    await first.release()
    await expect(stat(join(dir, IDENTITY_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' })

    const again = await load(dir)
    expect(again.identity.peer).toBe(first.identity.peer)
    const message = new TextEncoder().encode('same key')
    expect(again.identity.sign(message)).toBe(first.identity.sign(message))
  })

  it('without a dir is a fresh identity each time', async () => {
    const a = await load(false)
    const b = await load(false)
    expect(a.file).toBeUndefined()
    expect(a.ephemeral).toBe('no-dir')
    expect(a.identity.peer).not.toBe(b.identity.peer)
  })

  it('refuses a damaged file by name, and leaves it as it was', async () => {
    const cases: Array<[string, string]> = [
      ['not JSON', '{"version": 1, "secretKey'],
      ['version', JSON.stringify({ version: 2, peer: 'x', secretKey: 'x' })],
      ['secretKey is not 32 bytes', JSON.stringify({ version: 1, peer: 'x', secretKey: 'AAAA' })],
      ['is not the key', JSON.stringify({ version: 1, peer: 'kAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', secretKey: 'A'.repeat(43) })],
    ]
    for (const [reason, text] of cases) {
      const dir = await freshDir()
      const file = join(dir, IDENTITY_FILE)
      await writeFile(file, text)
      const error = await loadNodeIdentity(dir).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect(error).toBeInstanceOf(IdentityFileError)
      expect((error as IdentityFileError).name).toBe('IdentityFileError')
      expect((error as IdentityFileError).file).toBe(file)
      expect((error as Error).message).toContain(file)
      expect((error as Error).message).toContain(reason)
      expect(await readFile(file, 'utf8')).toBe(text)
      // The failed load gave the lock back: once the file is moved away, the dir works again.
      await writeFile(file, '')
      await expect(loadNodeIdentity(dir)).rejects.toThrow(IdentityFileError)
      await expect(stat(join(dir, IDENTITY_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' })
    }
  })

  it('is not shared by two users of one dir in one process: the second gets a fresh one in memory', async () => {
    const dir = await freshDir()
    const first = await load(dir)
    const before = await readFile(join(dir, IDENTITY_FILE), 'utf8')
    const second = await load(dir)
    expect(second.identity.peer).not.toBe(first.identity.peer)
    expect(second.file).toBeUndefined()
    expect(second.ephemeral).toBe('dir-in-use')
    await second.release()
    // Releasing the ephemeral one leaves the first's lock in place.
    expect((await load(dir)).ephemeral).toBe('dir-in-use')
    expect(await readFile(join(dir, IDENTITY_FILE), 'utf8')).toBe(before)
  })

  it('is not shared with another running process, which removes its lock when it exits', async () => {
    const dir = await freshDir()
    const other = startIdentityProcess(dir)
    const theirs = await other.identity
    expect(theirs.file).toBe(join(dir, IDENTITY_FILE))
    expect((await readFile(join(dir, IDENTITY_LOCK_FILE), 'utf8')).trim()).toBe(String(other.child.pid))

    const mine = await load(dir)
    expect(mine.ephemeral).toBe('dir-in-use')
    expect(mine.identity.peer).not.toBe(theirs.peer)

    other.child.stdin?.write('exit\n')
    await once(other.child, 'exit')
    await expect(stat(join(dir, IDENTITY_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' })
    expect((await load(dir)).identity.peer).toBe(theirs.peer)
  })

  it('takes over the lock of a process that was killed', async () => {
    const dir = await freshDir()
    const other = startIdentityProcess(dir)
    const theirs = await other.identity
    other.child.kill('SIGKILL')
    await once(other.child, 'exit')
    // A kill leaves the lock behind, with a pid that no longer runs.
    expect((await readFile(join(dir, IDENTITY_LOCK_FILE), 'utf8')).trim()).toBe(String(other.child.pid))

    const mine = await load(dir)
    expect(mine.ephemeral).toBeUndefined()
    expect(mine.identity.peer).toBe(theirs.peer)
    expect((await readFile(join(dir, IDENTITY_LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid))
  })

  it('takes over a lock without a pid (a crash while it was written)', async () => {
    const dir = await freshDir()
    const first = await load(dir)
    await first.release()
    await writeFile(join(dir, IDENTITY_LOCK_FILE), '')
    expect((await load(dir)).identity.peer).toBe(first.identity.peer)
  })

  it('is the id of the peer startNodePeer starts on the dir, given back when the peer closes', async () => {
    const dir = await freshDir()
    const first = await startNodePeer({ signaling: NOBODY, room: 'identity', dir })
    const second = await startNodePeer({ signaling: NOBODY, room: 'identity', dir })
    try {
      const stored = JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as { peer: string }
      expect(first.id).toBe(stored.peer)
      expect(first.identity.peer).toBe(stored.peer)
      expect(second.id).not.toBe(stored.peer)
    } finally {
      await second.close()
      await first.close()
    }
    await expect(stat(join(dir, IDENTITY_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' })
    const restarted = await startNodePeer({ signaling: NOBODY, room: 'identity', dir })
    expect(restarted.id).toBe(first.id)
    await restarted.close()
  })

  function startIdentityProcess(dir: string): { child: ChildProcess; identity: Promise<{ peer: string; file: string | null }> } {
    const child = spawn(process.execPath, ['--import', 'tsx', IDENTITY_PROCESS, dir], { stdio: ['pipe', 'pipe', 'inherit'] })
    children.push(child)
    const identity = (async () => {
      for await (const line of createInterface({ input: child.stdout! })) return JSON.parse(line) as { peer: string; file: string | null }
      throw new Error('the identity process printed nothing')
    })()
    return { child, identity }
  }
})
