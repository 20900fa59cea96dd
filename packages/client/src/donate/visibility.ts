/** Whether the page is visible now, and a way to hear when that changes. */
export interface VisibilitySource {
  readonly visible: boolean
  onChange(listener: () => void): () => void
}

/** The document's own visibility (a page with no document counts as visible). */
export function documentVisibility(): VisibilitySource {
  const doc = globalThis.document as Document | undefined
  return {
    get visible() {
      return doc === undefined || doc.visibilityState !== 'hidden'
    },
    onChange(listener) {
      doc?.addEventListener('visibilitychange', listener)
      return () => doc?.removeEventListener('visibilitychange', listener)
    },
  }
}
