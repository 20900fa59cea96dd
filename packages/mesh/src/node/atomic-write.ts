import { randomUUID } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Names of temporary files start with this, so directory listings can skip them. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Writes `bytes` to `path` so that a crash leaves either the old file or the
 * new one, never half of it: a temporary file beside it, then a rename. With
 * `fsync`, the bytes reach the disk before the rename; without it, a power cut
 * can leave a damaged file, which is fine where readers verify what they read.
 * `mode` sets the permissions the file is created with (0o600 for secrets), so
 * it is never readable by others, not even for a moment.
 */
export async function writeAtomically(path: string, bytes: Uint8Array, options: { fsync: boolean; mode?: number }): Promise<void> {
  const temp = `${dirname(path)}/${TEMP_PREFIX}${randomUUID()}`
  try {
    const file = await open(temp, 'wx', options.mode ?? 0o666)
    try {
      await file.writeFile(bytes)
      if (options.fsync) await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  if (options.fsync) await syncDirectory(dirname(path))
}

/** Makes a rename durable; not every platform can open a directory, and then there is nothing to do. */
async function syncDirectory(path: string): Promise<void> {
  try {
    const dir = await open(path, 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  } catch {
    // Windows cannot fsync a directory; its renames are durable enough.
  }
}
