#!/usr/bin/env node
// The `tessera` command. The CLI is TypeScript, and this file is what npm links
// into node_modules/.bin, so it registers tsx (a dependency of this package)
// before loading it: `npx tessera ...` works from any directory of the repo.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
// Exit as soon as the command is done: WebRTC and socket teardown may keep
// the event loop busy for a while after the swarm has closed.
process.exit(await main(process.argv.slice(2)))
