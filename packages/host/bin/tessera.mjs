#!/usr/bin/env node
// The `tessera` command: what npm links into node_modules/.bin. The CLI is
// TypeScript; `cli-bundle.mjs` loads it as one bundle (or through tsx), so
// `npx tessera ...` works from any directory of the repo.
import { loadCli } from './cli-bundle.mjs'

// Stacks (`--verbose`) name the source files, not the bundle's lines.
if (process.env.TESSERA_DEBUG === '1' || process.argv.includes('--verbose')) process.setSourceMapsEnabled(true)
const main = await loadCli()
// Exit as soon as the command is done: WebRTC and socket teardown may keep
// the event loop busy for a while after the swarm has closed.
process.exit(await main(process.argv.slice(2)))
