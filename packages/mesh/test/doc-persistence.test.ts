import { mkdtemp, rm, stat, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FsDocStorage } from '../src/node/fs-doc-storage.ts'
import { fileNameOfGuid } from '../src/node/guid-file-name.ts'
import { DocPersistence } from '../src/storage/doc-persistence.ts'
import type { DocStorage } from '../src/storage/doc-storage.ts'
import { MemoryDocStorage } from '../src/storage/memory-doc-storage.ts'

/** Wraps a storage to count its calls and, when told to, fail its writes. */
class ProbeStorage implements DocStorage {
  appends: { guid: string; count: number }[] = []
  compactions: string[] = []
  failWrites = false
  loadDelay: Promise<void> | undefined

  constructor(readonly inner: DocStorage = new MemoryDocStorage()) {}

  async load(guid: string): Promise<Uint8Array[]> {
    await this.loadDelay
    return this.inner.load(guid)
  }
  async append(guid: string, updates: readonly Uint8Array[]): Promise<void> {
    if (this.failWrites) throw new DOMException('quota exceeded', 'QuotaExceededError')
    this.appends.push({ guid, count: updates.length })
    await this.inner.append(guid, updates)
  }
  async compact(guid: string, snapshot: Uint8Array): Promise<void> {
    if (this.failWrites) throw new DOMException('quota exceeded', 'QuotaExceededError')
    this.compactions.push(guid)
    await this.inner.compact(guid, snapshot)
  }
  remove(guid: string): Promise<void> {
    return this.inner.remove(guid)
  }
  list(): Promise<string[]> {
    return this.inner.list()
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await sleep(5)
  }
}

/** Opens a fresh Y.Doc with `guid` from `storage`, as a restarted peer would. */
async function reload(storage: DocStorage, guid: string): Promise<Y.Doc> {
  const doc = new Y.Doc({ guid })
  const persistence = new DocPersistence(storage)
  await persistence.open(doc)
  await persistence.closeAll()
  return doc
}

/** What the tests write, read through the shared types (`toJSON` leaves out types a doc has not asked for). */
function contents(doc: Y.Doc): unknown {
  return { m: doc.getMap('m').toJSON(), t: doc.getText('t').toString(), a: doc.getArray('a').toJSON() }
}

function edit(doc: Y.Doc, count: number, prefix = 'k'): void {
  for (let i = 0; i < count; i++) doc.getMap('m').set(`${prefix}${i}`, i)
}

describe('DocPersistence', () => {
  it('persists edits, so a fresh doc opened from the same storage equals the first', async () => {
    const storage = new MemoryDocStorage()
    const a = new Y.Doc({ guid: 'tessera/swarm' })
    const persistence = new DocPersistence(storage)
    await persistence.open(a)
    a.getMap('m').set('x', 1)
    a.getText('t').insert(0, 'hello')
    a.getArray<number>('a').push([1, 2, 3])
    a.getText('t').delete(0, 1)
    await persistence.flush()

    const b = await reload(storage, 'tessera/swarm')
    expect(contents(b)).toEqual(contents(a))
    expect(Y.encodeStateVector(b)).toEqual(Y.encodeStateVector(a))
  })

  it('writes the updates of one flush interval with one append', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 20 })
    await persistence.open(doc)
    edit(doc, 200)
    await waitFor(() => storage.appends.length > 0)
    await sleep(40)
    expect(storage.appends).toEqual([{ guid: 'doc', count: 200 }])

    edit(doc, 3, 'later')
    await waitFor(() => storage.appends.length > 1)
    expect(storage.appends[1]).toEqual({ guid: 'doc', count: 3 })
    await persistence.closeAll()
  })

  it('writes each document with its own append', async () => {
    const storage = new ProbeStorage()
    const persistence = new DocPersistence(storage, { flushMs: 10_000 })
    const docs = [new Y.Doc({ guid: 'tessera/swarm' }), new Y.Doc({ guid: 'tessera/job/a' })]
    for (const doc of docs) await persistence.open(doc)
    for (const doc of docs) edit(doc, 10)
    await persistence.flush()
    expect(storage.appends.map((append) => append.guid).sort()).toEqual(['tessera/job/a', 'tessera/swarm'])
    for (const doc of docs) expect(contents(await reload(storage.inner, doc.guid))).toEqual(contents(doc))
  })

  it('does not write back what it loaded', async () => {
    const storage = new ProbeStorage()
    const a = new Y.Doc({ guid: 'doc' })
    const first = new DocPersistence(storage)
    await first.open(a)
    edit(a, 5)
    await first.closeAll()
    const appendsBefore = storage.appends.length

    const second = new DocPersistence(storage, { flushMs: 1 })
    await second.open(new Y.Doc({ guid: 'doc' }))
    await sleep(20)
    await second.flush()
    expect(storage.appends.length).toBe(appendsBefore)
  })

  it('stores what a document held before it was opened', async () => {
    const storage = new MemoryDocStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    edit(doc, 3)
    const persistence = new DocPersistence(storage)
    await persistence.open(doc)
    await persistence.flush()
    expect(contents(await reload(storage, 'doc'))).toEqual(contents(doc))
  })

  it('keeps edits made while the stored updates load', async () => {
    const probe = new ProbeStorage()
    const before = new Y.Doc({ guid: 'doc' })
    before.getMap('m').set('stored', true)
    await probe.inner.append('doc', [Y.encodeStateAsUpdate(before)])

    let release = (): void => {}
    probe.loadDelay = new Promise((resolve) => (release = resolve))
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(probe, { flushMs: 0 })
    const opened = persistence.open(doc)
    doc.getMap('m').set('during load', true)
    await sleep(10)
    expect(probe.appends).toEqual([])
    release()
    probe.loadDelay = undefined
    await opened
    await persistence.closeAll()
    expect((await reload(probe.inner, 'doc')).getMap('m').toJSON()).toEqual({ stored: true, 'during load': true })
  })

  it('flushes pending writes on close, and stops writing after it', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 60_000 })
    await persistence.open(doc)
    edit(doc, 7)
    await persistence.close('doc')
    expect(storage.appends).toEqual([{ guid: 'doc', count: 7 }])
    edit(doc, 2, 'after close')
    await persistence.flush()
    expect(storage.appends).toHaveLength(1)
    expect((await reload(storage.inner, 'doc')).getMap('m').size).toBe(7)
  })

  it('flushes a document when it is destroyed', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 60_000 })
    await persistence.open(doc)
    edit(doc, 4)
    doc.destroy()
    await waitFor(() => storage.appends.length > 0)
    expect((await reload(storage.inner, 'doc')).getMap('m').size).toBe(4)
  })

  it('compacts into one snapshot once more than compactAfter updates are stored', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 60_000, compactAfter: 10 })
    await persistence.open(doc)
    for (let round = 0; round < 5; round++) {
      edit(doc, 4, `r${round}-`)
      await persistence.flush()
    }
    // 4 + 4 updates stored, then 8 + 4 > 10 compacts to 1, then 1 + 4, then 5 + 4.
    expect(storage.compactions).toEqual(['doc'])
    expect(await storage.inner.load('doc')).toHaveLength(9)
    await persistence.closeAll()
    expect(contents(await reload(storage.inner, 'doc'))).toEqual(contents(doc))
  })

  it('compacts on open when the stored log is already past compactAfter', async () => {
    const storage = new ProbeStorage()
    const first = new DocPersistence(storage, { compactAfter: 1000 })
    const doc = new Y.Doc({ guid: 'doc' })
    await first.open(doc)
    for (let i = 0; i < 30; i++) {
      edit(doc, 1, `e${i}-`)
      await first.flush()
    }
    await first.closeAll()
    expect(await storage.inner.load('doc')).toHaveLength(30)

    const second = new DocPersistence(storage, { flushMs: 1, compactAfter: 10 })
    const reopened = new Y.Doc({ guid: 'doc' })
    await second.open(reopened)
    await waitFor(() => storage.compactions.length > 0)
    await second.closeAll()
    expect(await storage.inner.load('doc')).toHaveLength(1)
    expect(contents(await reload(storage.inner, 'doc'))).toEqual(contents(doc))
  })

  it('takes in what another writer stored before compacting over it', async () => {
    const storage = new MemoryDocStorage()
    const tabA = new Y.Doc({ guid: 'doc' })
    const tabB = new Y.Doc({ guid: 'doc' })
    const a = new DocPersistence(storage, { flushMs: 60_000, compactAfter: 3 })
    const b = new DocPersistence(storage, { flushMs: 60_000 })
    await a.open(tabA)
    await b.open(tabB)
    tabB.getMap('m').set('from b', 1)
    await b.flush()
    edit(tabA, 5)
    await a.flush()
    expect(await storage.load('doc')).toHaveLength(1)
    expect((await reload(storage, 'doc')).getMap('m').get('from b')).toBe(1)
  })

  it('reports a failed write to onError, keeps the updates and retries on the next flush', async () => {
    const storage = new ProbeStorage()
    const errors: { name: string; guid: string }[] = []
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 60_000, onError: (error, guid) => errors.push({ name: (error as Error).name, guid }) })
    await persistence.open(doc)
    storage.failWrites = true
    expect(() => edit(doc, 3)).not.toThrow()
    await persistence.flush()
    expect(errors).toEqual([{ name: 'QuotaExceededError', guid: 'doc' }])
    edit(doc, 2, 'more')

    storage.failWrites = false
    await persistence.flush()
    expect(storage.appends).toEqual([{ guid: 'doc', count: 5 }])
    expect(contents(await reload(storage.inner, 'doc'))).toEqual(contents(doc))
  })

  it('retries a failed write by itself, backing off', async () => {
    const storage = new ProbeStorage()
    const errors: unknown[] = []
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 5, onError: (error) => errors.push(error) })
    await persistence.open(doc)
    storage.failWrites = true
    edit(doc, 3)
    await waitFor(() => errors.length >= 2)
    storage.failWrites = false
    await waitFor(() => storage.appends.length > 0)
    expect(storage.appends).toEqual([{ guid: 'doc', count: 3 }])
    await persistence.closeAll()
  })

  it('rejects close when the final write fails, and keeps the document bound until one succeeds', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, { flushMs: 60_000, onError: () => {} })
    await persistence.open(doc)
    edit(doc, 2)
    storage.failWrites = true
    await expect(persistence.close('doc')).rejects.toMatchObject({ name: 'QuotaExceededError' })
    await expect(persistence.closeAll()).rejects.toBeInstanceOf(AggregateError)
    storage.failWrites = false
    await persistence.close('doc')
    expect((await reload(storage.inner, 'doc')).getMap('m').size).toBe(2)
  })

  it('survives an onError that throws', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'doc' })
    const persistence = new DocPersistence(storage, {
      flushMs: 60_000,
      onError: () => {
        throw new Error('bad handler')
      },
    })
    await persistence.open(doc)
    storage.failWrites = true
    edit(doc, 1)
    await persistence.flush()
    storage.failWrites = false
    await persistence.closeAll()
    expect(storage.appends).toHaveLength(1)
  })

  it('forget stops persisting a document and removes it from storage', async () => {
    const storage = new ProbeStorage()
    const doc = new Y.Doc({ guid: 'tessera/job/a' })
    const persistence = new DocPersistence(storage, { flushMs: 60_000 })
    await persistence.open(doc)
    edit(doc, 2)
    await persistence.flush()
    edit(doc, 2, 'unsaved')
    await persistence.forget('tessera/job/a')
    edit(doc, 2, 'after')
    await persistence.flush()
    expect(await storage.list()).toEqual([])
    expect(storage.appends).toHaveLength(1)
  })

  it('opens a document once, and refuses another document with the same guid', async () => {
    const persistence = new DocPersistence(new MemoryDocStorage())
    const doc = new Y.Doc({ guid: 'doc' })
    await persistence.open(doc)
    await persistence.open(doc)
    await expect(persistence.open(new Y.Doc({ guid: 'doc' }))).rejects.toThrow(/already persisted/)
    await persistence.closeAll()
  })

  it('refuses nonsensical options', () => {
    expect(() => new DocPersistence(new MemoryDocStorage(), { flushMs: -1 })).toThrow(RangeError)
    expect(() => new DocPersistence(new MemoryDocStorage(), { compactAfter: 0 })).toThrow(RangeError)
  })
})

describe('DocPersistence over FsDocStorage', () => {
  let dir = ''
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('ignores a truncated final record, and appends cleanly after it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-persist-'))
    const a = new Y.Doc({ guid: 'tessera/swarm' })
    const first = new DocPersistence(new FsDocStorage({ dir }), { flushMs: 60_000 })
    await first.open(a)
    a.getMap('m').set('a', 1)
    await first.flush()
    a.getMap('m').set('b', 2)
    await first.closeAll()
    // A crash while the second update was being written.
    const log = join(dir, 'docs', fileNameOfGuid('tessera/swarm'), 'log')
    await truncate(log, (await stat(log)).size - 3)

    const b = await reload(new FsDocStorage({ dir }), 'tessera/swarm')
    expect(b.getMap('m').toJSON()).toEqual({ a: 1 })
    const second = new DocPersistence(new FsDocStorage({ dir }))
    await second.open(b)
    b.getMap('m').set('c', 3)
    await second.closeAll()
    expect((await reload(new FsDocStorage({ dir }), 'tessera/swarm')).getMap('m').toJSON()).toEqual({ a: 1, c: 3 })
  })

  it('keeps a large document across restarts, compacting on the way', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-persist-'))
    const doc = new Y.Doc({ guid: 'tessera/job/big' })
    const persistence = new DocPersistence(new FsDocStorage({ dir }), { flushMs: 60_000, compactAfter: 500 })
    await persistence.open(doc)
    for (let round = 0; round < 6; round++) {
      edit(doc, 200, `r${round}-`)
      await persistence.flush()
    }
    doc.getMap('m').set('blob', new Uint8Array(2 * 1024 * 1024).fill(3))
    await persistence.closeAll()
    const reopened = await reload(new FsDocStorage({ dir }), 'tessera/job/big')
    expect(Y.encodeStateVector(reopened)).toEqual(Y.encodeStateVector(doc))
    expect(reopened.getMap('m').size).toBe(1201)
  })
})
