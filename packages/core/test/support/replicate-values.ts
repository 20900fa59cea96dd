// Run as a child process (see dev-mode-replication.test.ts): one swarm document
// stores small and large values, a second applies the whole document as an update
// and reads them back. Prints one JSON line.
import * as Y from 'yjs'
import { MemoryBlobStore, SwarmDoc, ValueStore } from '@tessera/core'

const blobs = new MemoryBlobStore()
const source = new SwarmDoc()
const store = new ValueStore(source, blobs)
const small = await store.put({ bytes: new Uint8Array([1, 2, 3]), text: 'small' })
const large = await store.put(new Float64Array(1_000).fill(0.5))
// Encoded bytes can come as a Node Buffer (a Uint8Array subclass), which Yjs refuses as bare bytes.
const fromBuffer = '/'.concat('buffer')
store.record(fromBuffer as never, Buffer.from([9, 9]))
const copy = new SwarmDoc()
Y.applyUpdate(copy.doc, Y.encodeStateAsUpdate(source.doc))
const read = new ValueStore(copy, blobs)
const value = (await read.get(small)) as { bytes: Uint8Array; text: string }
const big = (await read.get(large)) as Float64Array
const buffered = copy.value(fromBuffer as never)?.inline
process.stdout.write(`${JSON.stringify({ nodeEnv: process.env.NODE_ENV, bytes: [...value.bytes], text: value.text, large: big.length, buffered: [...(buffered ?? [])] })}\n`)
