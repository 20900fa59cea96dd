import os from 'node:os'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { CHROMIUM_PATH } from '../../tests/support/chromium.ts'

const run = promisify(execFile)

export interface MachineInfo {
  readonly cpuModel: string
  readonly cores: number
  readonly totalMemoryGiB: number
  readonly platform: string
  readonly arch: string
  readonly node: string
  readonly chromium: string
  readonly gitCommit: string
  /** Uncommitted changes in the work tree when the run started. */
  readonly gitDirty: boolean
  /** 1-minute load average as the run started: other work sharing the machine. */
  readonly loadAverageAtStart: number
}

async function output(file: string, args: readonly string[]): Promise<string | undefined> {
  try {
    return (await run(file, [...args], { timeout: 10_000 })).stdout.trim()
  } catch {
    return undefined
  }
}

/** What this process can say about its machine without asking any other program. */
export function hostFacts() {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
  }
}

export async function readMachine(): Promise<MachineInfo> {
  const chromium = (await output(CHROMIUM_PATH, ['--version']))?.match(/[\d.]+/)?.[0] ?? 'not found'
  const commit = (await output('git', ['rev-parse', 'HEAD'])) ?? 'unknown'
  const status = await output('git', ['status', '--porcelain'])
  return {
    ...hostFacts(),
    chromium,
    gitCommit: commit,
    gitDirty: status !== undefined && status.length > 0,
    loadAverageAtStart: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  }
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB, ${m.platform} (${m.arch}); Node ${m.node}; Chromium ${m.chromium}; load average ${m.loadAverageAtStart} as the run started`
}
