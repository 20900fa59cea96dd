import { Session } from 'node:inspector'
import type { CDPSession } from 'playwright-core'

/**
 * Bench-only: where a process's main thread spends a job, from V8's sampling
 * profiler (the host through `node:inspector`, a tab through CDP). The
 * Ed25519 counters (`crypto-meter.ts`) see only the engine; this also sees
 * what surrounds it in the signature path: the Merkle hashing of outcome
 * proofs, the signed statements, the memo keys. A sample belongs to that path
 * when any frame on its stack is in one of the files below, so the time is
 * inclusive (hashing and native crypto called from there count too).
 */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string }; readonly children?: readonly number[] }>
  readonly samples?: readonly number[]
  readonly timeDeltas?: readonly number[]
}

/** The Ed25519 engines and the bench's meter around them. */
const ENGINE_FILES = ['/identity/ed25519-engine.ts', '/identity/ed25519-keyed.ts', '/node/node-ed25519.ts', '/bench/lib/crypto-meter.ts']
/** Everything else that makes or checks a signature: proofs, their Merkle trees, job and certificate signatures, the verdict memo. */
const SIGNATURE_FILES = [
  '/identity/signatures.ts',
  '/identity/merkle.ts',
  '/identity/known-trees.ts',
  '/identity/sha256-small.ts',
  '/identity/proven-leaves.ts',
  '/identity/identity.ts',
  '/identity/subject-certificate.ts',
  '/swarm/outcome-proofs.ts',
  '/swarm/job-signature.ts',
  '/signaling/src/peer-proof.ts',
]
const IDLE = new Set(['(idle)'])

export interface ProfileShares {
  /** Main-thread time the profile covers that was not idle, ms. */
  readonly busyMs: number
  /** Inside an Ed25519 engine call, ms. */
  readonly ed25519Ms: number
  /** In the rest of the signature path (Merkle hashing, statements, memo), ms. */
  readonly proofsMs: number
  /** The functions of the signature path that the time entered by, ms each, largest first. */
  readonly byEntry: ReadonlyArray<{ readonly fn: string; readonly ms: number }>
}

type Kind = 'idle' | 'ed25519' | 'proofs' | 'other'

export function profileShares(profile: CpuProfile): ProfileShares {
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const inFiles = (url: string, files: readonly string[]): boolean => files.some((f) => url.includes(f))
  const kinds = new Map<number, { kind: Kind; entry?: string }>()
  const classify = (id: number): { kind: Kind; entry?: string } => {
    const known = kinds.get(id)
    if (known !== undefined) return known
    const frame = byId.get(id)?.callFrame
    const up = parent.get(id)
    let result: { kind: Kind; entry?: string }
    if (frame === undefined) result = { kind: 'other' }
    else if (IDLE.has(frame.functionName)) result = { kind: 'idle' }
    else {
      const above = up === undefined ? { kind: 'other' as Kind } : classify(up)
      if (above.kind === 'ed25519' || above.kind === 'proofs') result = inFiles(frame.url, ENGINE_FILES) ? { kind: 'ed25519', ...(above.entry === undefined ? {} : { entry: above.entry }) } : above
      else if (inFiles(frame.url, ENGINE_FILES)) result = { kind: 'ed25519', entry: frame.functionName || '(anonymous)' }
      else if (inFiles(frame.url, SIGNATURE_FILES)) result = { kind: 'proofs', entry: frame.functionName || '(anonymous)' }
      else result = { kind: 'other' }
    }
    kinds.set(id, result)
    return result
  }
  let busy = 0
  let ed25519 = 0
  let proofs = 0
  const entries = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    // Each sample stands for the time since the one before it, as DevTools counts.
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000
    const { kind, entry } = classify(samples[i] as number)
    if (kind === 'idle') continue
    busy += ms
    if (kind === 'ed25519') ed25519 += ms
    if (kind === 'proofs') proofs += ms
    if (entry !== undefined) entries.set(entry, (entries.get(entry) ?? 0) + ms)
  }
  const byEntry = [...entries].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms)
  return { busyMs: busy, ed25519Ms: ed25519, proofsMs: proofs, byEntry }
}

const SAMPLING_INTERVAL_US = 1000

/** Profiles this Node process's main thread until the returned function is called. */
export async function profileHost(): Promise<() => Promise<CpuProfile>> {
  const session = new Session()
  session.connect()
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error === null ? resolve(result) : reject(error))))
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
  await post('Profiler.start')
  return async () => {
    try {
      return ((await post('Profiler.stop')) as { profile: CpuProfile }).profile
    } finally {
      session.disconnect()
    }
  }
}

/** Profiles a tab's main thread until the returned function is called. */
export async function profileTab(session: CDPSession): Promise<() => Promise<CpuProfile>> {
  await session.send('Profiler.enable')
  await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
  await session.send('Profiler.start')
  return async () => (await session.send('Profiler.stop')).profile
}
