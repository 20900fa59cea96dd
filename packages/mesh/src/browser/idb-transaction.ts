import { SizeLimitError } from '@tessera/core'

interface Transaction {
  readonly done: Promise<void>
  abort(): void
}

/**
 * Runs `work` in `tx` and resolves once the transaction has committed. If
 * `work` fails, the transaction is aborted, so nothing of it is kept, and its
 * `done` rejection is handled here rather than left unhandled. A full quota
 * comes out as `SizeLimitError`.
 */
export async function inTransaction<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
  const done = tx.done
  try {
    const result = await work()
    await done
    return result
  } catch (error) {
    done.catch(() => {})
    try {
      tx.abort()
    } catch {
      // Already finished or aborted.
    }
    throw fromQuotaError(error)
  }
}

function fromQuotaError(error: unknown): unknown {
  if ((error as { name?: unknown } | null)?.name !== 'QuotaExceededError') return error
  return new SizeLimitError("the browser's storage quota for this site is full: free some space, or let the site keep persistent storage", {
    cause: error,
  })
}
