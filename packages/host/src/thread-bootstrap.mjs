// Each ThreadExecutor thread starts here. The worker's code is TypeScript, and
// Node 20 does not apply `--import tsx` to worker threads (module hooks there
// arrived in Node 22), so the thread registers tsx itself, then loads it.
import { register } from 'tsx/esm/api'

register()
await import('./thread-worker.ts')
