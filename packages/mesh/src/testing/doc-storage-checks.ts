import type { DocStorage } from '../storage/doc-storage.ts'
import { assert, assertSameMembers, assertUpdatesEqual, patternBytes, skipCheck, type ContractCheck } from '@tessera/core/testing'

export interface DocStorageFixture {
  /** Empty storage; the check closes it. */
  readonly storage: DocStorage
  /** A second handle on the same medium, opened after `storage` is closed; without it the reopen check is skipped. */
  readonly reopen?: () => Promise<DocStorage>
  teardown?(): Promise<void>
}

export type MakeDocStorage = () => Promise<DocStorageFixture>

/** Guids that trip up naive escaping: separators, case, dots, escapes, prefixes of one another, non-ASCII. */
const AWKWARD_GUIDS = ['tessera/swarm', 'Tessera/Swarm', 'tessera', 'tessera/job/abc', 'tessera%2Fswarm', '..', '.', 'a b', '文档 ✓']

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)

async function withStorage(make: MakeDocStorage, body: (storage: DocStorage) => Promise<void>): Promise<void> {
  const fixture = await make()
  try {
    await body(fixture.storage)
  } finally {
    await fixture.storage.close()
    await fixture.teardown?.()
  }
}

/** What every `DocStorage` adapter must do: in memory, on disk, in IndexedDB. */
export const docStorageChecks: readonly ContractCheck<MakeDocStorage>[] = [
  {
    name: 'loads nothing for a document never written',
    run: (make) =>
      withStorage(make, async (storage) => {
        assertUpdatesEqual(await storage.load('tessera/swarm'), [], 'load')
        assertSameMembers(await storage.list(), [], 'list')
      }),
  },
  {
    name: 'loads appended updates oldest first',
    run: (make) =>
      withStorage(make, async (storage) => {
        await storage.append('doc', [bytes(1), bytes(2, 2)])
        await storage.append('doc', [])
        await storage.append('doc', [bytes(3, 3, 3)])
        assertUpdatesEqual(await storage.load('doc'), [bytes(1), bytes(2, 2), bytes(3, 3, 3)], 'load')
      }),
  },
  {
    name: 'appends 1,000 updates in one call, in order',
    run: (make) =>
      withStorage(make, async (storage) => {
        const updates = Array.from({ length: 1000 }, (_, i) => patternBytes(1 + (i % 40), i))
        await storage.append('many', updates)
        await storage.append('many', [bytes(7)])
        assertUpdatesEqual(await storage.load('many'), [...updates, bytes(7)], 'load')
      }),
  },
  {
    name: 'keeps documents apart, whatever their guids',
    run: (make) =>
      withStorage(make, async (storage) => {
        for (const [i, guid] of AWKWARD_GUIDS.entries()) await storage.append(guid, [bytes(i), bytes(i, i)])
        for (const [i, guid] of AWKWARD_GUIDS.entries()) {
          assertUpdatesEqual(await storage.load(guid), [bytes(i), bytes(i, i)], `load ${JSON.stringify(guid)}`)
        }
        assertSameMembers(await storage.list(), AWKWARD_GUIDS, 'list')
      }),
  },
  {
    name: 'compact replaces everything stored with the snapshot',
    run: (make) =>
      withStorage(make, async (storage) => {
        await storage.append('doc', [bytes(1), bytes(2), bytes(3)])
        await storage.append('other', [bytes(9)])
        await storage.compact('doc', bytes(1, 2, 3))
        assertUpdatesEqual(await storage.load('doc'), [bytes(1, 2, 3)], 'after compact')
        await storage.append('doc', [bytes(4)])
        assertUpdatesEqual(await storage.load('doc'), [bytes(1, 2, 3), bytes(4)], 'append after compact')
        await storage.compact('doc', bytes(5))
        assertUpdatesEqual(await storage.load('doc'), [bytes(5)], 'second compact')
        await storage.compact('fresh', bytes(6))
        assertUpdatesEqual(await storage.load('fresh'), [bytes(6)], 'compact of a new document')
        assertUpdatesEqual(await storage.load('other'), [bytes(9)], 'other document')
      }),
  },
  {
    name: 'remove forgets one document and only that one',
    run: (make) =>
      withStorage(make, async (storage) => {
        await storage.append('tessera/job/a', [bytes(1)])
        await storage.append('tessera/job/ab', [bytes(2)])
        await storage.append('tessera/job', [bytes(3)])
        await storage.remove('tessera/job/a')
        await storage.remove('never/stored')
        assertUpdatesEqual(await storage.load('tessera/job/a'), [], 'removed')
        assertUpdatesEqual(await storage.load('tessera/job/ab'), [bytes(2)], 'kept')
        assertUpdatesEqual(await storage.load('tessera/job'), [bytes(3)], 'kept')
        await storage.append('tessera/job/a', [bytes(4)])
        assertUpdatesEqual(await storage.load('tessera/job/a'), [bytes(4)], 'written again')
      }),
  },
  {
    name: 'lists the documents that hold anything',
    run: (make) =>
      withStorage(make, async (storage) => {
        await storage.append('x', [bytes(1)])
        await storage.append('y', [bytes(2)])
        await storage.compact('z', bytes(3))
        await storage.append('empty', [])
        assertSameMembers(await storage.list(), ['x', 'y', 'z'], 'list')
        await storage.remove('y')
        assertSameMembers(await storage.list(), ['x', 'z'], 'list after remove')
      }),
  },
  {
    name: 'copies bytes in and out',
    run: (make) =>
      withStorage(make, async (storage) => {
        const update = bytes(1, 2, 3)
        const snapshotSource = bytes(9, 9)
        await storage.append('doc', [update])
        update.fill(0)
        const loaded = await storage.load('doc')
        loaded[0]?.fill(7)
        assertUpdatesEqual(await storage.load('doc'), [bytes(1, 2, 3)], 'after the caller reused both buffers')
        await storage.compact('doc', snapshotSource)
        snapshotSource.fill(0)
        assertUpdatesEqual(await storage.load('doc'), [bytes(9, 9)], 'snapshot after the caller reused its buffer')
        // A view into a larger buffer must store the view alone.
        const backing = patternBytes(4096, 1)
        const view = backing.subarray(100, 110)
        await storage.append('view', [view])
        const [stored] = await storage.load('view')
        assert(stored !== undefined && stored.byteLength === 10, `a 10-byte view came back as ${stored?.byteLength} bytes`)
        assertUpdatesEqual([stored], [new Uint8Array(view)], 'view')
      }),
  },
  {
    name: 'stores a 5 MB update',
    run: (make) =>
      withStorage(make, async (storage) => {
        const large = patternBytes(5 * 1024 * 1024, 5)
        await storage.append('large', [bytes(1), large, bytes(2)])
        assertUpdatesEqual(await storage.load('large'), [bytes(1), large, bytes(2)], 'load')
        await storage.compact('large', large)
        assertUpdatesEqual(await storage.load('large'), [large], 'compacted')
      }),
  },
  {
    name: 'keeps everything across a reopen',
    async run(make) {
      const fixture = await make()
      if (fixture.reopen === undefined) {
        await fixture.storage.close()
        await fixture.teardown?.()
        skipCheck('the storage cannot be reopened')
      }
      let reopened: DocStorage | undefined
      try {
        const { storage } = fixture
        await storage.append('tessera/swarm', [bytes(1), bytes(2)])
        await storage.append('tessera/job/a', [bytes(3)])
        await storage.compact('tessera/job/a', bytes(4))
        await storage.append('tessera/job/a', [bytes(5)])
        await storage.append('tessera/job/b', [bytes(6)])
        await storage.remove('tessera/job/b')
        await storage.close()
        reopened = await fixture.reopen()
        assertUpdatesEqual(await reopened.load('tessera/swarm'), [bytes(1), bytes(2)], 'swarm after reopen')
        assertUpdatesEqual(await reopened.load('tessera/job/a'), [bytes(4), bytes(5)], 'job after reopen')
        assertSameMembers(await reopened.list(), ['tessera/swarm', 'tessera/job/a'], 'list after reopen')
        await reopened.append('tessera/swarm', [bytes(7)])
        assertUpdatesEqual(await reopened.load('tessera/swarm'), [bytes(1), bytes(2), bytes(7)], 'append after reopen')
      } finally {
        await fixture.storage.close()
        await reopened?.close()
        await fixture.teardown?.()
      }
    },
  },
]
