import { ED25519_KEY_BYTES, Identity } from '@tessera/core'
import { openTesseraDb, type StoredIdentityRecord, type TesseraDb } from './idb-schema.ts'

/**
 * A tab's identity. Tabs of one origin share IndexedDB but must not share an
 * id (signaling admits an id once, and one id must be one peer). So the
 * database keeps a pool of identities, slot 0, 1, 2, …, and each tab holds
 * the Web Lock of the slot it uses for as long as it lives: a tab takes the
 * first slot whose lock is free. Browsers release a tab's locks when it
 * closes or reloads, so the slots are reused. A reloaded tab asks for its
 * previous slot first (remembered in sessionStorage, which is per tab and
 * survives reloads), waiting briefly for its old page to let go of it, so it
 * gets its id back even when other tabs took lower slots meanwhile.
 */

export interface BrowserIdentity {
  readonly identity: Identity
  /** The pool slot the identity is kept in; undefined when it lives in this page only. */
  readonly slot: number | undefined
  /** Why the identity is not kept: no database, no Web Locks, or every slot in use. */
  readonly ephemeral?: 'no-storage' | 'no-locks' | 'pool-full'
  /** Frees the slot for other tabs; idempotent. */
  release(): void
}

export interface BrowserIdentityOptions {
  /** Tessera's IndexedDB database (default `tessera`); `false` keeps the identity in memory only. */
  readonly database?: string | false
  /** Default `navigator.locks`; `null` is a browser without Web Locks. */
  readonly locks?: LockManager | null
  /** Default 64: more tabs than that at once get identities in memory only. */
  readonly maxSlots?: number
  /** How long a reloaded tab waits for its previous slot; default 2 s. */
  readonly reclaimMs?: number
}

const DEFAULT_MAX_SLOTS = 64
const DEFAULT_RECLAIM_MS = 2_000

export async function loadBrowserIdentity(options: BrowserIdentityOptions = {}): Promise<BrowserIdentity> {
  const database = options.database ?? 'tessera'
  if (database === false || typeof indexedDB === 'undefined') return ephemeral('no-storage')
  const locks = options.locks === undefined ? globalThis.navigator?.locks : options.locks
  if (locks === undefined || locks === null) return ephemeral('no-locks')
  const db = await openTesseraDb(database)
  try {
    const maxSlots = options.maxSlots ?? DEFAULT_MAX_SLOTS
    const remembered = rememberedSlot(database)
    // Waiting makes sense only for a slot another page holds (this tab's previous page), not this page itself.
    if (remembered !== undefined && remembered < maxSlots && !heldHere.has(lockName(database, remembered))) {
      const lock = await waitForLock(locks, lockName(database, remembered), options.reclaimMs ?? DEFAULT_RECLAIM_MS)
      const taken = lock === undefined ? undefined : await identityInSlot(db, remembered, lock)
      if (taken !== undefined) return holdHere(database, taken)
    }
    for (let slot = 0; slot < maxSlots; slot++) {
      const lock = await tryLock(locks, lockName(database, slot))
      if (lock === undefined) continue
      const taken = await identityInSlot(db, slot, lock)
      if (taken === undefined) continue
      rememberSlot(database, slot)
      return holdHere(database, taken)
    }
    return ephemeral('pool-full')
  } finally {
    db.close()
  }
}

function ephemeral(why: 'no-storage' | 'no-locks' | 'pool-full'): BrowserIdentity {
  return { identity: Identity.generate(), slot: undefined, ephemeral: why, release: () => {} }
}

/** The slots this page holds, by lock name. */
const heldHere = new Set<string>()

function holdHere(database: string, taken: BrowserIdentity & { slot: number }): BrowserIdentity {
  const name = lockName(database, taken.slot)
  heldHere.add(name)
  return {
    ...taken,
    release() {
      heldHere.delete(name)
      taken.release()
    },
  }
}

/** Per database: the same origin may run peers on several. */
const lockName = (database: string, slot: number): string => `tessera-identity-${slot}${database === 'tessera' ? '' : `@${database}`}`

/**
 * The slot's identity, created on its first use, or undefined (lock released)
 * when the slot holds a record this code cannot read: that record is left as
 * it is, never overwritten, and the tab moves on to another slot.
 */
async function identityInSlot(db: TesseraDb, slot: number, release: () => void): Promise<(BrowserIdentity & { slot: number }) | undefined> {
  try {
    // Nobody else writes this slot: we hold its lock.
    const record = await db.get('identities', slot)
    const identity = record === undefined ? await createInSlot(db, slot) : identityOf(record)
    if (identity === undefined) {
      release()
      return undefined
    }
    return { identity, slot, release }
  } catch (error) {
    release()
    throw error
  }
}

async function createInSlot(db: TesseraDb, slot: number): Promise<Identity> {
  const identity = Identity.generate()
  const record: StoredIdentityRecord = { version: 1, peer: identity.peer, secretKey: identity.exportSecretKey() }
  // `add`, not `put`: never replaces a key, even one written since the read.
  await db.add('identities', record, slot)
  return identity
}

function identityOf(record: unknown): Identity | undefined {
  const { version, peer, secretKey } = (record ?? {}) as Partial<Record<keyof StoredIdentityRecord, unknown>>
  if (version !== 1 || !(secretKey instanceof Uint8Array) || secretKey.byteLength !== ED25519_KEY_BYTES) return undefined
  const identity = new Identity(secretKey)
  return identity.peer === peer ? identity : undefined
}

/** Holds `name` until the returned function is called, or undefined at once when another tab holds it. */
function tryLock(locks: LockManager, name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) return resolve(undefined)
        return new Promise<void>((release) => resolve(once(release)))
      })
      .catch(reject)
  })
}

/** Like `tryLock`, but waits up to `ms` for the holder to let go (a reloading tab's old page). */
function waitForLock(locks: LockManager, name: string, ms: number): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { signal: AbortSignal.timeout(ms) }, () => new Promise<void>((release) => resolve(once(release))))
      .catch((error: unknown) => (isTimeout(error) ? resolve(undefined) : reject(error)))
  })
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'TimeoutError' || name === 'AbortError'
}

function once(release: () => void): () => void {
  let released = false
  return () => {
    if (released) return
    released = true
    release()
  }
}

const SESSION_KEY = (database: string): string => `tessera-identity-slot@${database}`

function rememberedSlot(database: string): number | undefined {
  try {
    const text = globalThis.sessionStorage?.getItem(SESSION_KEY(database))
    return text !== null && text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined
  } catch {
    // Storage access denied (sandboxed frame): no memory of the last slot.
    return undefined
  }
}

function rememberSlot(database: string, slot: number): void {
  try {
    globalThis.sessionStorage?.setItem(SESSION_KEY(database), String(slot))
  } catch {
    // As above: the tab just takes the first free slot next time.
  }
}
