import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import type { MeshPeer } from '@tessera/mesh/node'
import { fillLargeDoc, largeDocFingerprint, LARGE_DOC_BYTES } from '@tessera/mesh/testing'
import { spyOnFrames } from './support/frame-spy.ts'
import { useSwarm, waitFor } from './support/swarm.ts'

const swarm = useSwarm()

describe('a late joiner', () => {
  it('receives a 50 MB document from a Node peer (chunked, never one message over 64 KiB)', async () => {
    const spy = spyOnFrames()
    const [writer] = await swarm.start(1, { rtc: spy.rtc })
    const doc = await (writer as MeshPeer).openDoc('tessera/job/large')
    fillLargeDoc(doc)
    const size = Y.encodeStateAsUpdate(doc).byteLength
    expect(size).toBeGreaterThan(LARGE_DOC_BYTES)
    const started = Date.now()
    const [joiner] = await swarm.start(1)
    const copy = await (joiner as MeshPeer).openDoc('tessera/job/large')
    await waitFor('the 50 MB document', () => copy.getMap('small').size === 20_000 && copy.getMap('blobs').size === 48, 60_000)
    const ms = Date.now() - started
    console.info(`late join Node→Node: ${(size / 1e6).toFixed(1)} MB in ${ms} ms (${(size / 1e3 / ms).toFixed(1)} MB/s)`)
    expect(largeDocFingerprint(copy)).toEqual(largeDocFingerprint(doc))
    expect(spy.sent()).toBeGreaterThan(size)
    expect(spy.largest()).toBeLessThanOrEqual(64 * 1024)
    expect(Y.encodeStateVector(copy)).toEqual(Y.encodeStateVector(doc))
    // Later edits still flow both ways: nothing is stuck behind the big sync.
    copy.getMap('small').set('after', 'yes')
    await waitFor('an edit after the sync', () => doc.getMap('small').get('after') === 'yes')
  })
})
