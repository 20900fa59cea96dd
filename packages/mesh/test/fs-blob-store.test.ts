import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addressOfBytesAsync, encodeAndAddress, RAW_CODEC } from '@tessera/core'
import { blobStoreChecks } from '@tessera/core/testing'
import { runContract } from '@tessera/core/testing/vitest'
import { describe, expect, it } from 'vitest'
import { FsBlobStore } from '../src/node/fs-blob-store.ts'
import { useTempDirs } from './support/temp-dirs.ts'

const makeTempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'tessera-fs-blobs-'))

// A cap above the 5 MB check's blob, so that check runs at full size.
const FS_CAP = 6 * 1024 * 1024
runContract('BlobStore contract: FsBlobStore', blobStoreChecks, async () => {
  const dir = await makeTempDir()
  return { store: new FsBlobStore({ dir, maxBlobBytes: FS_CAP }), maxBlobBytes: FS_CAP, teardown: () => rm(dir, { recursive: true, force: true }) }
})

describe('FsBlobStore on disk', () => {
  const freshDir = useTempDirs('tessera-fs-blobs-')

  it('stores each blob in a file named by its address, and no temporary files', async () => {
    const dir = await freshDir()
    const store = new FsBlobStore({ dir })
    const { address, bytes } = encodeAndAddress({ a: 1 })
    await store.put(address, bytes)
    expect(await readdir(join(dir, 'blobs'))).toEqual([address])
    expect(new Uint8Array(await readFile(join(dir, 'blobs', address)))).toEqual(bytes)
  })

  it('lists its blobs with size and last use, skipping temporary and foreign files; touch re-dates one', async () => {
    const dir = await freshDir()
    const store = new FsBlobStore({ dir })
    const { address, bytes } = encodeAndAddress({ listed: 'yes' })
    await store.put(address, bytes)
    await writeFile(join(dir, 'blobs', '.tmp-half-written'), 'x')
    await writeFile(join(dir, 'blobs', 'notes.txt'), 'x')
    const usedAt = Date.parse('2026-01-02T03:04:05Z')
    await store.touch(address, usedAt)
    await store.touch(encodeAndAddress({ absent: true }).address, usedAt)
    expect(await store.list()).toEqual([{ address, size: bytes.byteLength, usedAt }])
    expect(await new FsBlobStore({ dir: join(dir, 'nothing-here') }).list()).toEqual([])
  })

  // A new instance on the directory stands for the next process, which finds the files an earlier one wrote.
  it('treats a file the disk damaged since an earlier process wrote it as missing, and deletes it', async () => {
    const dir = await freshDir()
    const bytes = new Uint8Array(100_000).fill(42)
    const address = await addressOfBytesAsync(bytes, RAW_CODEC)
    await new FsBlobStore({ dir }).put(address, bytes)
    const damaged = new Uint8Array(bytes)
    damaged[50_000] = 0
    await writeFile(join(dir, 'blobs', address), damaged)

    const store = new FsBlobStore({ dir })
    expect(store.verifiesReads).toBe(true)
    expect(await store.get(address)).toBeUndefined()
    expect(await store.has(address)).toBe(false)
    // A peer can then fetch and store it again.
    await store.put(address, bytes)
    expect(await store.get(address)).toEqual(bytes)
  })

  it('treats a truncated file as missing', async () => {
    const dir = await freshDir()
    const { address, bytes } = encodeAndAddress('some value')
    await new FsBlobStore({ dir }).put(address, bytes)
    await writeFile(join(dir, 'blobs', address), bytes.subarray(0, 3))
    expect(await new FsBlobStore({ dir }).get(address)).toBeUndefined()
  })

  it('hashes a file once per process: on its first read, not on later ones, nor on reads of files it wrote', async () => {
    const dir = await freshDir()
    const earlier = encodeAndAddress('written by an earlier process')
    await new FsBlobStore({ dir }).put(earlier.address, earlier.bytes)
    const store = new FsBlobStore({ dir })
    const mine = encodeAndAddress('written by this one')
    await store.put(mine.address, mine.bytes)
    expect(await store.get(earlier.address)).toEqual(earlier.bytes)
    // Changed behind the store's back: only a hash on read would notice, and a checked file gets none.
    const swap = (bytes: Uint8Array): Uint8Array => bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b))
    await writeFile(join(dir, 'blobs', earlier.address), swap(earlier.bytes))
    await writeFile(join(dir, 'blobs', mine.address), swap(mine.bytes))
    expect(await store.get(earlier.address)).toEqual(swap(earlier.bytes))
    expect(await store.get(mine.address)).toEqual(swap(mine.bytes))
    // The next process checks them again, and refuses both.
    const next = new FsBlobStore({ dir })
    expect(await next.get(earlier.address)).toBeUndefined()
    expect(await next.get(mine.address)).toBeUndefined()
  })

  it('checks again a blob deleted and written anew', async () => {
    const dir = await freshDir()
    const store = new FsBlobStore({ dir })
    const { address, bytes } = encodeAndAddress('deleted, then damaged')
    await store.put(address, bytes)
    await store.delete(address)
    await writeFile(join(dir, 'blobs', address), bytes.subarray(1))
    expect(await store.get(address)).toBeUndefined()
  })

  it('names its cap when refusing a blob over it', async () => {
    const store = new FsBlobStore({ dir: await freshDir(), maxBlobBytes: 1000 })
    const bytes = new Uint8Array(1001)
    const address = await addressOfBytesAsync(bytes, RAW_CODEC)
    await expect(store.put(address, bytes)).rejects.toMatchObject({ name: 'SizeLimitError', message: expect.stringContaining('1000-byte cap') })
    expect(await store.has(address)).toBe(false)
  })

  it('deletes blobs, and ignores deleting one it does not hold', async () => {
    const store = new FsBlobStore({ dir: await freshDir() })
    const { address, bytes } = encodeAndAddress([1, 2, 3])
    await store.delete(address)
    await store.put(address, bytes)
    await store.delete(address)
    expect(await store.has(address)).toBe(false)
  })

  it('keeps blobs across instances', async () => {
    const dir = await freshDir()
    const { address, bytes } = encodeAndAddress('persisted')
    await new FsBlobStore({ dir }).put(address, bytes)
    expect(await new FsBlobStore({ dir }).get(address)).toEqual(bytes)
  })

  it('refuses addresses that could leave its directory', async () => {
    const store = new FsBlobStore({ dir: await freshDir() })
    await expect(store.get('../../etc/passwd' as never)).rejects.toMatchObject({ name: 'AddressError' })
    await expect(store.has('../x' as never)).rejects.toMatchObject({ name: 'AddressError' })
  })
})
