// S3 write-through of a pinning host, against a real S3-compatible server
// (s3rver, on loopback) through the official AWS SDK: every blob stored goes
// to the bucket, a blob the disk lacks comes back from it (checked against
// its address), and a pinning host on a new, empty disk restores the room's
// blobs from the bucket instead of fetching them from peers.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressOfBytesAsync, type Address } from '@tessera/core'
import { connect, type Swarm } from '@tessera/host'
import { startSignalingServer, type SignalingServer } from '@tessera/signaling'
import { PinStore } from '../src/pin/pin-store.ts'
import { PinningHost } from '../src/pin/pinning-host.ts'
import { S3Mirror, type S3MirrorOptions } from '../src/pin/s3-mirror.ts'

const BUCKET = 'pins'
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
let server: S3rver
let endpoint: string
let dir: string
let client: S3Client
const closers: Array<() => Promise<void> | void> = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-pin-s3-'))
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: BUCKET, configs: [] }] })
  const { port } = await server.run()
  endpoint = `http://127.0.0.1:${port}`
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' })
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
  client?.destroy()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

const s3 = (bucket = BUCKET): S3MirrorOptions => ({ bucket, endpoint, credentials, prefix: 'room/' })
async function mirror(bucket = BUCKET): Promise<S3Mirror> {
  const opened = await S3Mirror.open(s3(bucket))
  closers.push(() => opened.close())
  return opened
}
async function object(key: string): Promise<Uint8Array> {
  const reply = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return (await reply.Body?.transformToByteArray()) ?? new Uint8Array()
}
const blobOf = async (fill: number): Promise<{ address: Address; bytes: Uint8Array }> => {
  const bytes = new Uint8Array(4_000).fill(fill)
  return { address: await addressOfBytesAsync(bytes), bytes }
}

describe('a pinning store written through to S3', () => {
  it('uploads what it stores, reads back what its disk lacks, and refuses a damaged object', async () => {
    const [a, b, c] = await Promise.all([blobOf(1), blobOf(2), blobOf(3)])
    const first = await PinStore.open(join(dir, 'first'), { mirror: await mirror() })
    await first.put(a.address, a.bytes)
    await first.put(b.address, b.bytes)
    expect(first.mirrorStats()).toEqual({ uploaded: 2, restored: 0, pending: 0 })
    expect(await object(`room/${a.address}`)).toEqual(a.bytes)

    // A new, empty disk: the blob comes back from the bucket, and is kept on disk again.
    const second = await PinStore.open(join(dir, 'second'), { mirror: await mirror() })
    expect(await second.get(a.address)).toEqual(a.bytes)
    expect([second.count, second.holds(a.address), second.mirrorStats()?.restored]).toEqual([1, true, 1])
    expect(await readdir(join(dir, 'second', 'blobs'))).toEqual([a.address])

    // Addresses the room does not list are not looked up.
    second.restoreOnly((address) => address !== b.address)
    expect(await second.get(b.address)).toBeUndefined()
    expect(second.mirrorStats()?.restored).toBe(1)

    // Bytes in the bucket that do not hash to their key are not taken.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `room/${c.address}`, Body: b.bytes }))
    expect(await second.get(c.address)).toBeUndefined()
    expect(second.holds(c.address)).toBe(false)
  })

  it('keeps a blob whose upload failed, and says it is pending', async () => {
    const { address, bytes } = await blobOf(4)
    const store = await PinStore.open(join(dir, 'no-bucket'), { mirror: await mirror('no-such-bucket') })
    await store.put(address, bytes)
    expect(store.holds(address)).toBe(true)
    expect(await store.retryUploads()).toBe(1)
    expect(store.mirrorStats()).toEqual({ uploaded: 0, restored: 0, pending: 1 })
  })

  it('a pinning host on a new disk restores the room\'s blobs from the bucket, not from the peers that hold them', async () => {
    const signaling = await startSignalingServer({ port: 0 })
    closers.push(() => signaling.close())
    const writer: Swarm = await connect({ signaling: signaling.url, room: 'pin-s3', workers: 0, cacheDir: false })
    closers.push(() => writer.close())
    const values = await Promise.all([1, 2, 3].map((n) => writer.peer.values.put({ n, pad: 'p'.repeat(3_000) })))
    const start = (disk: string): Promise<PinningHost> => PinningHost.start({ signaling: (signaling as SignalingServer).url, room: 'pin-s3', dir: join(dir, disk), quotaBytes: 1e9, retryMs: 100, s3: s3() })

    const before = await start('pin-before')
    await until(() => before.stats().blobs === 3 && before.stats().s3?.uploaded === 3)
    expect(before.stats()).toMatchObject({ fetched: 3, s3: { restored: 0, pending: 0 } })
    await before.close()
    for (const address of values) expect((await object(`room/${address}`)).byteLength).toBeGreaterThan(3_000)

    const after = await start('pin-after')
    closers.push(() => after.close())
    await until(() => after.stats().blobs === 3)
    // Restored, not fetched from the writer; and not uploaded again.
    expect(after.stats()).toMatchObject({ missing: 0, s3: { restored: 3, uploaded: 0, pending: 0 } })
  })
})

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
