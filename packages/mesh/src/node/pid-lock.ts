import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { link, open, readFile, rename, rm } from 'node:fs/promises'
import { isNotFound } from './fs-errors.ts'

/**
 * A lock file that holds the pid of its owner, so that two processes never
 * use one data dir's identity at once. A lock whose pid is no longer running
 * (the process crashed or was killed) is stale and is taken over; a process
 * that exits without releasing removes its locks on the way out.
 */
export interface PidLock {
  readonly path: string
  /** Removes the lock if it is still ours; idempotent. */
  release(): Promise<void>
}

/** Locks this process holds, removed on exit even when nobody calls `release`. */
const held = new Set<string>()
let exitHookInstalled = false

function removeHeldOnExit(): void {
  for (const path of held) rmSync(path, { force: true })
}

/** The lock at `path`, or undefined when a running process holds it (this one included). */
export async function tryPidLock(path: string): Promise<PidLock | undefined> {
  // Two rounds: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await createExclusively(path)) return holdLock(path)
    const owner = await readOwner(path)
    if (owner === 'gone') continue
    if (owner !== undefined && isRunning(owner)) return undefined
    if (!(await removeStale(path, owner))) return undefined
  }
  return undefined
}

async function createExclusively(path: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx', 0o600)
    try {
      await file.writeFile(`${process.pid}\n`)
    } finally {
      await file.close()
    }
    return true
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false
    throw error
  }
}

/** The pid in the lock; undefined when the file holds none (a crash while writing it), 'gone' when it vanished. */
async function readOwner(path: string): Promise<number | undefined | 'gone'> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return 'gone'
    throw error
  }
  return /^\d+\n?$/.test(text) ? Number(text.trim()) : undefined
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as { code?: unknown }).code === 'EPERM'
  }
}

/**
 * Moves the stale lock aside and deletes it. Moving first makes the takeover
 * safe when two processes find the same stale lock: only one rename takes that
 * file; the other either finds nothing, or takes a lock the winner has just
 * made, sees a live pid in it and puts it back.
 */
async function removeStale(path: string, stalePid: number | undefined): Promise<boolean> {
  const aside = `${path}.stale-${randomUUID()}`
  try {
    await rename(path, aside)
  } catch (error) {
    if (isNotFound(error)) return true
    throw error
  }
  const moved = await readOwner(aside)
  if (moved === stalePid || moved === undefined || moved === 'gone' || !isRunning(moved)) {
    await rm(aside, { force: true })
    return true
  }
  // A live lock: restore it (link fails if yet another process made one meanwhile; it then holds the dir).
  await link(aside, path).catch(() => {})
  await rm(aside, { force: true })
  return false
}

function holdLock(path: string): PidLock {
  held.add(path)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', removeHeldOnExit)
  }
  return {
    path,
    async release() {
      if (!held.delete(path)) return
      await rm(path, { force: true })
    },
  }
}
