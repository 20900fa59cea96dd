import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FsDocStorage } from '../src/node/fs-doc-storage.ts'
import { fileNameOfGuid, guidOfFileName } from '../src/node/guid-file-name.ts'
import { decodeRecords, encodeRecords } from '../src/node/update-log.ts'
import { runContract } from '@tessera/core/testing/vitest'
import { docStorageChecks } from '@tessera/mesh/testing'
import { useTempDirs } from './support/temp-dirs.ts'

const makeTempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'tessera-fs-docs-'))

runContract('DocStorage contract: FsDocStorage', docStorageChecks, async () => {
  const dir = await makeTempDir()
  return {
    storage: new FsDocStorage({ dir }),
    reopen: async () => new FsDocStorage({ dir }),
    teardown: () => rm(dir, { recursive: true, force: true }),
  }
})

describe('FsDocStorage on disk', () => {
  const freshDir = useTempDirs('tessera-fs-docs-')
  const logOf = (dir: string, guid: string): string => join(dir, 'docs', fileNameOfGuid(guid), 'log')
  const u = (...values: number[]): Uint8Array => new Uint8Array(values)

  it('ignores a truncated final record, and cuts it off before the next append', async () => {
    const dir = await freshDir()
    const storage = new FsDocStorage({ dir })
    await storage.append('tessera/swarm', [u(1), u(2)])
    await storage.append('tessera/swarm', [u(3, 3, 3, 3)])
    await storage.close()
    const log = logOf(dir, 'tessera/swarm')
    // A crash in the middle of the second append.
    await truncate(log, (await stat(log)).size - 2)

    const reopened = new FsDocStorage({ dir })
    expect(await reopened.load('tessera/swarm')).toEqual([u(1), u(2)])
    await reopened.append('tessera/swarm', [u(4)])
    await reopened.close()
    expect(await new FsDocStorage({ dir }).load('tessera/swarm')).toEqual([u(1), u(2), u(4)])
  })

  it('cuts off a torn tail even when the first call after a restart is an append', async () => {
    const dir = await freshDir()
    const storage = new FsDocStorage({ dir })
    await storage.append('doc', [u(1)])
    await appendFile(logOf(dir, 'doc'), encodeRecords([u(9, 9, 9)]).subarray(0, 6))
    const restarted = new FsDocStorage({ dir })
    await restarted.append('doc', [u(2)])
    expect(await restarted.load('doc')).toEqual([u(1), u(2)])
  })

  it('ignores a tail of zeros, as a power cut can leave', async () => {
    const dir = await freshDir()
    await new FsDocStorage({ dir }).append('doc', [u(1)])
    await appendFile(logOf(dir, 'doc'), new Uint8Array(64))
    expect(await new FsDocStorage({ dir }).load('doc')).toEqual([u(1)])
  })

  it('keeps the old log when a compaction dies before its rename, and clears the temporary file', async () => {
    const dir = await freshDir()
    await new FsDocStorage({ dir }).append('doc', [u(1), u(2)])
    const docDir = join(dir, 'docs', fileNameOfGuid('doc'))
    await writeFile(join(docDir, '.tmp-half-written'), encodeRecords([u(1, 2)]).subarray(0, 5))
    const restarted = new FsDocStorage({ dir })
    expect(await restarted.load('doc')).toEqual([u(1), u(2)])
    expect(await readdir(docDir)).toEqual(['log'])
  })

  it('compacts into a log of one record and leaves no temporary files', async () => {
    const dir = await freshDir()
    const storage = new FsDocStorage({ dir })
    await storage.append('doc', [u(1), u(2), u(3)])
    await storage.compact('doc', u(1, 2, 3))
    const docDir = join(dir, 'docs', fileNameOfGuid('doc'))
    expect(await readdir(docDir)).toEqual(['log'])
    expect(decodeRecords(await readFile(join(docDir, 'log'))).records).toEqual([u(1, 2, 3)])
  })

  it('orders concurrent appends and compactions on one document', async () => {
    const dir = await freshDir()
    const storage = new FsDocStorage({ dir })
    await Promise.all([storage.append('doc', [u(1)]), storage.compact('doc', u(2)), storage.append('doc', [u(3)]), storage.append('doc', [u(4)])])
    expect(await storage.load('doc')).toEqual([u(2), u(3), u(4)])
  })

  it('skips directories it did not name when listing', async () => {
    const dir = await freshDir()
    const storage = new FsDocStorage({ dir })
    await storage.append('tessera/swarm', [u(1)])
    await mkdir(join(dir, 'docs', 'Not.Ours'), { recursive: true })
    expect(await storage.list()).toEqual(['tessera/swarm'])
  })

  it('refuses use after close', async () => {
    const storage = new FsDocStorage({ dir: await freshDir() })
    await storage.close()
    await expect(storage.load('doc')).rejects.toThrow(/closed/)
  })
})

describe('guid file names', () => {
  it('round-trip, and differ where a case-insensitive file system would merge them', () => {
    const guids = ['tessera/swarm', 'Tessera/Swarm', 'tessera/job/bafyreiabc', '..', '.', '%2F', '文档', 'a_b-c']
    const names = guids.map(fileNameOfGuid)
    expect(names.map(guidOfFileName)).toEqual(guids)
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(guids.length)
    for (const name of names) expect(name).toMatch(/^(?:[a-z0-9_-]|%[0-9A-F]{2})+$/)
    expect(fileNameOfGuid('tessera/swarm')).toBe('tessera%2Fswarm')
  })

  it('refuses empty and over-long guids', () => {
    expect(() => fileNameOfGuid('')).toThrow(RangeError)
    expect(() => fileNameOfGuid('x'.repeat(256))).toThrow(/too long/)
  })
})
