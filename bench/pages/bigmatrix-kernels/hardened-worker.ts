import { hardenThisRealm } from '@tessera/runtime/pool'
import { measureSimdRates } from '../../bigmatrix/simd-rates.ts'

// The same comparison in a Web Worker whose realm is hardened (every built-in
// frozen) as a donor tab's task workers are, before anything is measured.
const post = self.postMessage.bind(self)
self.onmessage = (event: MessageEvent<{ sizes: number[]; runs: number }>) => {
  hardenThisRealm()
  try {
    post({ rates: measureSimdRates(event.data.sizes, event.data.runs) })
  } catch (error) {
    post({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  }
}
