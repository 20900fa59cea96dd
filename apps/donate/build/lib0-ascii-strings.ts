import type { Plugin } from 'vite'
import { patchLib0 } from './lib0-ascii-patch.mjs'

export { Lib0PatchError, patchLib0 } from './lib0-ascii-patch.mjs'

/**
 * Yjs reads and writes every string of the documents (map keys, and the keys
 * and values of each record) through lib0, which hands each one to
 * `TextDecoder.decode` or `TextEncoder.encodeInto`. In Chromium each such call
 * costs about 0.5 µs, however short the string: in the dispatch bench a tab spent
 * 13% of its busy main thread in `decode` and 4% in `encodeInto`, on strings of
 * 4 to 60 ASCII characters. This build step gives lib0 a path for short ASCII
 * strings in plain JavaScript (about 0.1 µs each) that defers to lib0's own
 * functions for anything else, errors included, so what is read and written,
 * and what is refused, stays exactly as before (`lib0-ascii-patch.mjs`; the
 * `tessera` bin bundles lib0 with the same patch).
 */
export function lib0AsciiStrings(): Plugin {
  return {
    name: 'tessera-lib0-ascii-strings',
    enforce: 'pre',
    transform(code, id) {
      const patched = patchLib0(id, code)
      return patched === undefined ? null : { code: patched, map: null }
    },
  }
}
