import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ED25519_KEY_BYTES, Identity, TesseraError, fromBase64Url, toBase64Url } from '@tessera/core'
import { writeAtomically } from './atomic-write.ts'
import { isNotFound } from './fs-errors.ts'
import { tryPidLock, type PidLock } from './pid-lock.ts'

/** The file, inside a peer's data dir, that holds its secret key. */
export const IDENTITY_FILE = 'identity.json'
/** Held by the process using the dir's identity; it contains that process's pid. */
export const IDENTITY_LOCK_FILE = 'identity.lock'
const IDENTITY_FILE_VERSION = 1

/** The identity file exists but cannot be read as one: it is never replaced, since it may be the only copy of someone's key. */
export class IdentityFileError extends TesseraError {
  override name = 'IdentityFileError'
  constructor(readonly file: string, reason: string, options?: ErrorOptions) {
    super(`the peer identity in ${file} is unusable (${reason}); it was left as it is: move it away to start with a new identity, and the peer gets a new id`, options)
  }
}

interface IdentityFileContent {
  readonly version: typeof IDENTITY_FILE_VERSION
  /** Redundant with the key; there so a reader of the file knows which peer it is, and checked on load. */
  readonly peer: string
  /** The Ed25519 secret key (RFC 8032 seed), base64url. */
  readonly secretKey: string
}

export interface NodeIdentity {
  readonly identity: Identity
  /** The file the key is kept in; undefined when it lives in this process only. */
  readonly file: string | undefined
  /** Why the identity is not kept in a file: no data dir, or another running process uses the dir's. */
  readonly ephemeral?: 'no-dir' | 'dir-in-use'
  /** Lets the next process use the dir's identity; idempotent. */
  release(): Promise<void>
}

/**
 * The identity of a Node peer whose data is in `dir`: loaded from
 * `<dir>/identity.json`, or created there (mode 0600) on first use; with
 * `false`, a fresh identity in memory.
 *
 * One identity is one peer id, and signaling admits an id once: two processes
 * (or two peers of one process) on the same dir would collide. So the first
 * takes `<dir>/identity.lock` (its pid) until it releases it or exits, and any
 * other gets a fresh identity for its lifetime only (`ephemeral: 'dir-in-use'`),
 * still sharing the dir's documents and blobs. A lock left by a process that
 * no longer runs is taken over.
 */
export async function loadNodeIdentity(dir: string | false): Promise<NodeIdentity> {
  if (dir === false) return ephemeral('no-dir')
  await mkdir(dir, { recursive: true })
  const lock = await tryPidLock(join(dir, IDENTITY_LOCK_FILE))
  if (lock === undefined) return ephemeral('dir-in-use')
  const file = join(dir, IDENTITY_FILE)
  try {
    const identity = (await readIdentityFile(file)) ?? (await createIdentityFile(file))
    return { identity, file, release: () => lock.release() }
  } catch (error) {
    await lock.release()
    throw error
  }
}

function ephemeral(why: 'no-dir' | 'dir-in-use'): NodeIdentity {
  return { identity: Identity.generate(), file: undefined, ephemeral: why, release: async () => {} }
}

/** The identity in `file`, or undefined when there is no file. */
async function readIdentityFile(file: string): Promise<Identity | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw new IdentityFileError(file, `cannot read it: ${(error as Error).message}`, { cause: error })
  }
  let content: unknown
  try {
    content = JSON.parse(text)
  } catch (error) {
    throw new IdentityFileError(file, 'not JSON', { cause: error })
  }
  const { version, peer, secretKey } = (content ?? {}) as Partial<Record<keyof IdentityFileContent, unknown>>
  if (version !== IDENTITY_FILE_VERSION) throw new IdentityFileError(file, `version ${JSON.stringify(version)}, where this Tessera reads version ${IDENTITY_FILE_VERSION}`)
  const key = typeof secretKey === 'string' ? fromBase64Url(secretKey, ED25519_KEY_BYTES) : undefined
  if (key === undefined) throw new IdentityFileError(file, `secretKey is not ${ED25519_KEY_BYTES} bytes of base64url`)
  const identity = new Identity(key)
  if (peer !== identity.peer) throw new IdentityFileError(file, `its peer ${JSON.stringify(peer)} is not the key's (${identity.peer})`)
  return identity
}

async function createIdentityFile(file: string): Promise<Identity> {
  const identity = Identity.generate()
  const content: IdentityFileContent = { version: IDENTITY_FILE_VERSION, peer: identity.peer, secretKey: toBase64Url(identity.exportSecretKey()) }
  // fsync: losing the key after a power cut would change the peer's id and orphan what it signed.
  await writeAtomically(file, new TextEncoder().encode(`${JSON.stringify(content, null, 2)}\n`), { fsync: true, mode: 0o600 })
  return identity
}

/**
 * The identity stored in `<dir>/identity.json`, read without taking its lock,
 * or undefined when there is none. For signing on that peer's behalf only
 * (`tessera stop` cancels the jobs the host using `dir` submitted), never to
 * join a room as that peer: the peer may be running now.
 */
export async function readStoredIdentity(dir: string): Promise<Identity | undefined> {
  return readIdentityFile(join(dir, IDENTITY_FILE))
}
