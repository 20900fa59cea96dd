import type * as Y from 'yjs'

/**
 * Calls `onLocal` with the update of every transaction on `doc` whose origin
 * is not `ownOrigin` (a replicator's own applies), and returns how to stop.
 *
 * Yjs encodes each transaction once more for as long as anything listens to
 * 'update', the updates a replicator applies from peers included: a late
 * joiner's 50 MB document was encoded again, a copy of every value, for
 * nothing. Yjs looks for listeners right after 'afterTransactionCleanup', so
 * the listener is attached there only for transactions that need it.
 */
export function watchLocalUpdates(doc: Y.Doc, ownOrigin: unknown, onLocal: (update: Uint8Array) => void): () => void {
  const onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin !== ownOrigin) onLocal(update)
  }
  const onCleanup = (transaction: Y.Transaction): void => {
    if (transaction.origin === ownOrigin) doc.off('update', onUpdate)
    else doc.on('update', onUpdate)
  }
  doc.on('update', onUpdate)
  doc.on('afterTransactionCleanup', onCleanup)
  return () => {
    doc.off('update', onUpdate)
    doc.off('afterTransactionCleanup', onCleanup)
  }
}
