// Run as a child process (see dev-mode-replication.test.ts): one swarm document
// stores small and large values and a job's tasks, a second applies the whole document as an update
// and reads them back. Prints one JSON line.
import * as Y from 'yjs'
import { asJobId, Identity, definePure, JobDoc, JobIndex, loadTaskArgs, MemoryBlobStore, submitJob, SwarmDoc, ValueStore } from '@tessera/core'

const blobs = new MemoryBlobStore()
const source = new SwarmDoc()
const store = new ValueStore(source, blobs)
const small = await store.put({ bytes: new Uint8Array([1, 2, 3]), text: 'small' })
const large = await store.put(new Float64Array(1_000).fill(0.5))
// Encoded bytes can come as a Node Buffer (a Uint8Array subclass), which Yjs refuses as bare bytes.
const fromBuffer = '/'.concat('buffer')
store.record(fromBuffer as never, Buffer.from([9, 9]))
// A job's small arguments ride in its task records (as base64: bytes inside an object would be frozen).
const fn = definePure(({ bytes }: { bytes: Uint8Array }) => bytes.length, { name: 'count' })
const { spec, job } = await submitJob(source, store, { id: asJobId('j'), fn, argsList: [{ bytes: new Uint8Array([4, 5]) }], identity: Identity.fromSeed('p'), now: 0 })
const jobCopy = new JobDoc(spec.id)
Y.applyUpdate(jobCopy.doc, Y.encodeStateAsUpdate(job.doc))
const copy = new SwarmDoc()
Y.applyUpdate(copy.doc, Y.encodeStateAsUpdate(source.doc))
const read = new ValueStore(copy, blobs)
const value = (await read.get(small)) as { bytes: Uint8Array; text: string }
const big = (await read.get(large)) as Float64Array
const buffered = copy.value(fromBuffer as never)?.inline
const task = new JobIndex(jobCopy, spec).task('0')
const taskArgs = task === undefined ? undefined : ((await loadTaskArgs(task, read)) as { bytes: Uint8Array }).bytes
process.stdout.write(`${JSON.stringify({ nodeEnv: process.env.NODE_ENV, bytes: [...value.bytes], text: value.text, large: big.length, buffered: [...(buffered ?? [])], taskArgs: [...(taskArgs ?? [])] })}\n`)
