import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import type { CDPSession, Page } from 'playwright-core'
import { ed25519Engine, useEd25519Engine } from '@tessera/core'
import { countsSince, meteredEngine, type CryptoCounts, type MeteredEngine } from './crypto-meter.ts'
import { servedPages } from './browser-session.ts'
import { profileHost, profileShares, profileTab, type CpuProfile, type ProfileShares } from './cpu-profile.ts'
import { toSourceFiles } from './source-mapped-profile.ts'
import { markdownTable } from './report.ts'
import type { BenchFigure } from './section.ts'
import { round3 } from './stats.ts'

/**
 * Issue 14's target "signing and verification cost at most 10% of dispatch
 * throughput", measured on the dispatch bench's own job: every process counts
 * the Ed25519 signatures it makes and checks and the time they take
 * (`crypto-meter.ts`), beside how busy it was, and V8's sampling profiler
 * covers each main thread over the same window (`cpu-profile.ts`) to catch
 * the rest of the signature path (statements, Merkle hashing, memos). A
 * process that spends a share s of its busy time there would, with free
 * signatures, do the same work in (1 − s) of the time; so 1 − s bounds what
 * signing costs the throughput of a job that this process limits, and the
 * largest s over the processes bounds the job's. The profilers cost the
 * job about a tenth of its throughput here, so the dispatch section times its
 * throughput in a job of its own, without them (`begin(false)`).
 */
export interface ProcessCost {
  readonly process: string
  readonly crypto: CryptoCounts
  /** Main-thread busy time: the host's event loop while active, a tab's renderer tasks. */
  readonly busyMs: number
  /** All CPU the process used (host: every thread of the Node process, signaling included; tab: its main thread). */
  readonly cpuMs: number
  /** The same window in the main thread's sampling profile: Ed25519 and the rest of the signature path. */
  readonly profile: ProfileShares
}

interface TabMeter {
  crypto(): CryptoCounts & { engine: string }
}
type TabGlobals = typeof globalThis & { benchDonor: TabMeter }

interface Snapshot {
  readonly host: { crypto: CryptoCounts; elu: EventLoopUtilization; cpu: NodeJS.CpuUsage }
  readonly tabs: ReadonlyArray<{ crypto: CryptoCounts; taskMs: number; threadMs: number }>
}

async function tabMetrics(session: CDPSession): Promise<{ taskMs: number; threadMs: number }> {
  const { metrics } = await session.send('Performance.getMetrics')
  const seconds = (name: string): number => metrics.find((m) => m.name === name)?.value ?? Number.NaN
  return { taskMs: seconds('TaskDuration') * 1000, threadMs: seconds('ThreadTime') * 1000 }
}

export class CryptoWatch {
  #before: Snapshot | undefined
  #stopProfiles: Array<() => Promise<CpuProfile>> = []

  private constructor(
    private readonly meter: MeteredEngine,
    private readonly tabs: readonly Page[],
    private readonly sessions: readonly CDPSession[],
  ) {}

  /** Call after the host connected: `connect()` installs node:crypto, which this wraps. */
  static async start(tabs: readonly Page[]): Promise<CryptoWatch> {
    const meter = meteredEngine(ed25519Engine())
    useEd25519Engine(meter.engine)
    const sessions: CDPSession[] = []
    for (const tab of tabs) {
      const session = await tab.context().newCDPSession(tab)
      await session.send('Performance.enable')
      sessions.push(session)
    }
    const engines = await Promise.all(tabs.map((t) => t.evaluate(() => (globalThis as TabGlobals).benchDonor.crypto().engine)))
    if (engines.some((name) => !name.startsWith('metered'))) throw new Error(`a tab signs with an unmetered engine (${engines.join(', ')})`)
    return new CryptoWatch(meter, tabs, sessions)
  }

  /**
   * Starts the window: counters read, and the profilers on unless `profile` is
   * false. On this 2-core machine they are not free: the dispatch job ran at
   * 736 and 796 tasks/s profiled against 861 and 865 without, alternating
   * (2026-12-02), so the throughput is timed in a job of its own.
   */
  async begin(profile = true): Promise<void> {
    this.#stopProfiles = profile ? [await profileHost(), ...(await Promise.all(this.sessions.map((s) => profileTab(s))))] : []
    this.#before = await this.#snapshot()
  }

  /** Ends the window: what each process did in it, host first. */
  async end(): Promise<ProcessCost[]> {
    const before = this.#before
    if (before === undefined) throw new Error('CryptoWatch.end() before begin()')
    const after = await this.#snapshot()
    const profiles = await Promise.all(this.#stopProfiles.map((stop) => stop()))
    this.#stopProfiles = []
    // The tabs run built bundles: their samples are told by source file through the source maps.
    const served = profiles.length === 0 ? undefined : await servedPages()
    const bySource = served === undefined ? [] : [profiles[0] as CpuProfile, ...(await Promise.all(profiles.slice(1).map((p) => toSourceFiles(p, served))))]
    await keepProfiles(bySource)
    const shares = (i: number): ProfileShares => (bySource[i] === undefined ? UNPROFILED : profileShares(bySource[i]))
    const host: ProcessCost = {
      process: 'host (Node, node:crypto)',
      crypto: countsSince(before.host.crypto, after.host.crypto),
      busyMs: performance.eventLoopUtilization(after.host.elu, before.host.elu).active,
      cpuMs: (after.host.cpu.user - before.host.cpu.user + after.host.cpu.system - before.host.cpu.system) / 1000,
      profile: shares(0),
    }
    const tabs = after.tabs.map((tab, i): ProcessCost => {
      const start = before.tabs[i] as Snapshot['tabs'][number]
      return { process: `tab ${i + 1} (Chromium, noble)`, crypto: countsSince(start.crypto, tab.crypto), busyMs: tab.taskMs - start.taskMs, cpuMs: tab.threadMs - start.threadMs, profile: shares(i + 1) }
    })
    return [host, ...tabs]
  }

  async #snapshot(): Promise<Snapshot> {
    const tabs = await Promise.all(
      this.tabs.map(async (tab, i) => ({
        crypto: await tab.evaluate(() => (globalThis as TabGlobals).benchDonor.crypto()),
        ...(await tabMetrics(this.sessions[i] as CDPSession)),
      })),
    )
    return { host: { crypto: this.meter.counts(), elu: performance.eventLoopUtilization(), cpu: process.cpuUsage() }, tabs }
  }

  async close(): Promise<void> {
    await Promise.all(this.#stopProfiles.map((stop) => stop().catch(() => undefined)))
    await Promise.all(this.sessions.map((s) => s.detach().catch(() => {})))
  }
}

/** A window without the profilers: no samples. */
const UNPROFILED: ProfileShares = { busyMs: 0, ed25519Ms: 0, proofsMs: 0, byEntry: [] }

const cryptoMs = (c: CryptoCounts): number => c.signMs + c.verifyMs
/** Share of the main thread's busy time inside Ed25519, by the counters. */
export const countedShare = (p: ProcessCost): number => cryptoMs(p.crypto) / p.busyMs
/** Share of the main thread's busy samples anywhere in the signature path (Ed25519, Merkle proofs, memo), by the profile. */
export const pathShare = (p: ProcessCost): number => (p.profile.ed25519Ms + p.profile.proofsMs) / p.profile.busyMs
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`

export function cryptoCostFigure(costs: readonly ProcessCost[], tasks: number, swarmMs: number): { figure: BenchFigure; markdown: string } {
  const share = (p: ProcessCost): number => Math.max(pathShare(p), countedShare(p))
  const worst = costs.reduce((a, b) => (share(b) > share(a) ? b : a))
  const worstShare = share(worst)
  const signs = costs.reduce((n, p) => n + p.crypto.signs, 0)
  const verifies = costs.reduce((n, p) => n + p.crypto.verifies, 0)
  const rate = (tasks * 1000) / swarmMs
  const figure: BenchFigure = {
    id: 'dispatch.signature-cost',
    title: `Signing and verifying in a ${tasks.toLocaleString('en')}-task job: largest share of a process's busy main thread`,
    value: round3(worstShare * 100),
    unit: '% of busy time',
    ratio: round3(1 - worstShare),
    target: '≤ 10% (ratio = 1 − share ≥ 0.9: the throughput kept)',
    met: worstShare <= 0.1,
    note:
      `At ${rate.toFixed(0)} tasks/s the swarm made ${signs} Ed25519 signatures (${(signs / tasks).toFixed(4)} per task: one per flush of reports, not one per task) and checked ${verifies} (${(verifies / tasks).toFixed(4)} per task). ` +
      costs
        .map(
          (p) =>
            `${p.process}: Ed25519 ${pct(countedShare(p))} of ${(p.busyMs / 1000).toFixed(2)} s busy by the counters; the whole signature path ${pct(pathShare(p))} of busy samples by the profile (Ed25519 ${pct(p.profile.ed25519Ms / p.profile.busyMs)}, Merkle proofs and memo ${pct(p.profile.proofsMs / p.profile.busyMs)})`,
        )
        .join('; ') +
      `. The largest share (${worst.process}, the larger of its two measures) bounds what signatures cost the job's throughput: with free signatures that process would need ${pct(1 - worstShare)} of its time.`,
  }
  const rows = costs.map((p) => [
    p.process,
    String(p.crypto.signs),
    p.crypto.signs === 0 ? '—' : String(round3((p.crypto.signMs * 1000) / p.crypto.signs)),
    String(p.crypto.verifies),
    p.crypto.verifies === 0 ? '—' : String(round3((p.crypto.verifyMs * 1000) / p.crypto.verifies)),
    (p.busyMs / 1000).toFixed(2),
    pct(countedShare(p)),
    (p.cpuMs / 1000).toFixed(2),
    pct(cryptoMs(p.crypto) / p.cpuMs),
    pct(p.profile.ed25519Ms / p.profile.busyMs),
    pct(p.profile.proofsMs / p.profile.busyMs),
    pct(pathShare(p)),
  ])
  const entries = costs.map((p) => `${p.process}: ${p.profile.byEntry.slice(0, 5).map((e) => `\`${e.fn}\` ${e.ms.toFixed(0)} ms`).join(', ') || 'none'}`)
  const markdown = [
    'Signatures in this job. Counted: each process wraps its Ed25519 engine and adds up the calls (`bench/lib/crypto-meter.ts`); busy = the host\'s event loop while active, a tab\'s main-thread tasks, both wall time like the counters; CPU = the host process\'s every thread (signaling included) and a tab\'s main thread. Profiled: V8\'s sampling profiler on each main thread over the same window; the signature path is every sample with a frame in the identity and proof code on its stack (`bench/lib/cpu-profile.ts`). µs per call are wall time too: on a loaded machine they are several times the `signatures` section\'s, as busy time is inflated, so the shares hold.',
    '',
    markdownTable(
      ['process', 'signs', 'µs/sign', 'verifies', 'µs/verify', 'busy s', 'Ed25519 / busy', 'CPU s', 'Ed25519 / CPU', 'profile: Ed25519', 'profile: proofs, memo', 'profile: signature path'],
      rows,
      (i) => i >= 1,
    ),
    '',
    `Where the signature path's time entered it (profile): ${entries.join('; ')}.`,
  ].join('\n')
  return { figure, markdown }
}

/** With TESSERA_BENCH_PROFILES=dir, the raw profiles (host, then tabs) go there, for DevTools. */
async function keepProfiles(profiles: readonly CpuProfile[]): Promise<void> {
  const dir = process.env.TESSERA_BENCH_PROFILES
  if (dir === undefined || dir === '') return
  await mkdir(dir, { recursive: true })
  await Promise.all(profiles.map((p, i) => writeFile(join(dir, `${i === 0 ? 'host' : `tab-${i}`}.cpuprofile`), JSON.stringify(p))))
}
