import type { Page } from 'playwright-core'
import { nodeRtc } from '@tessera/mesh/node'
import type { ChildScript } from './child.ts'
import { median } from './stats.ts'
import { RawChannelEnd } from './raw-channel.ts'
import type { BenchMeshApi } from '../pages/mesh-peer/main.ts'

type Globals = typeof globalThis & { benchMesh: BenchMeshApi }

/** Where the far end of a transfer lives: a Node process of its own, or a Chromium tab. */
export type FarEnd = { readonly kind: 'node'; readonly child: ChildScript } | { readonly kind: 'chromium'; readonly tab: Page }

/**
 * Raw data-channel throughput from this process to `far`, in MB/s (10^6 bytes),
 * best of `runs` transfers of `bytes` after a 1 MiB warm-up (`medianMbPerSec`: their median).
 */
export async function rawThroughput(far: FarEnd, bytes: number, runs = 2): Promise<{ mbPerSec: number; medianMbPerSec: number; runsMs: number[] }> {
  const { end, sdp } = await RawChannelEnd.offer(nodeRtc)
  try {
    const answer =
      far.kind === 'node'
        ? (await far.child.ask<{ sdp: string }>({ cmd: 'raw-answer', offer: sdp })).sdp
        : await far.tab.evaluate((offer) => (globalThis as Globals).benchMesh.rawAnswer(offer), sdp)
    await end.accept(answer)
    await end.opened()
    await end.send(1024 * 1024)
    const runsMs: number[] = []
    for (let i = 0; i < runs; i++) runsMs.push(await end.send(bytes))
    return { mbPerSec: bytes / 1e3 / Math.min(...runsMs), medianMbPerSec: bytes / 1e3 / median(runsMs), runsMs }
  } finally {
    end.close()
    if (far.kind === 'chromium') await far.tab.evaluate(() => (globalThis as Globals).benchMesh.closeRaw())
  }
}
