import { compareSimd } from './bigmatrix/simd-figures.ts'
import { closeBrowserSession } from './lib/browser-session.ts'
const t = performance.now()
const r = await compareSimd(process.argv[2] === 'quick', 4)
console.log('compareSimd s', ((performance.now() - t) / 1000).toFixed(2))
console.log(r.markdown)
await closeBrowserSession()
