// The efficiency section's 1-2-1 donor runs and its control alone, with each donor's idle breakdown,
// for working on the figure (`npm run bench -- --only efficiency` also runs the same-program part).
//   npx tsx bench/efficiency-probe.ts [runs]
import os from 'node:os'
import { calibrate, churn, measureDonorScaling } from './efficiency.ts'
import { threadSpeedup } from './lib/thread-control.ts'

const runs = Number(process.argv[2] ?? 1)
const n = calibrate(50)
for (let r = 0; r < runs; r++) {
  const load = os.loadavg()[0] ?? 0
  // TESSERA_BENCH_DONOR_PROF=dir: each donor's V8 CPU profile, written there as it exits.
  const prof = process.env.TESSERA_BENCH_DONOR_PROF
  const s = await measureDonorScaling(prof === undefined ? {} : { donorNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${prof}`] }, 200, n)
  const control = await threadSpeedup(churn, n, 40)
  const speedup = (s.one.ms + s.oneAgain.ms) / 2 / s.two.ms
  const gaps = (g: (typeof s.idleTwo)[number]): string =>
    `runs ${g.runs} start-up ${g.startupMs.toFixed(0)} between ${g.betweenMs.toFixed(0)} (longest ${g.longestBetweenMs.toFixed(0)}) tail ${g.tailMs.toFixed(0)} executor ${g.executorMs.toFixed(0)} busy/run ${(g.busyMs / Math.max(1, g.runs)).toFixed(1)}`
  console.log(
    JSON.stringify({ load: load.toFixed(2), oneMs: [s.one.ms.toFixed(0), s.oneAgain.ms.toFixed(0)], twoMs: s.two.ms.toFixed(0), speedup: speedup.toFixed(3), control: control.speedup.toFixed(3), vsControl: (speedup / control.speedup).toFixed(3), hostCpu: [s.one.hostCpuMs.toFixed(0), s.two.hostCpuMs.toFixed(0)], donorMainBusy: s.mainBusyTwo.map((c) => c.toFixed(0)) }),
  )
  console.log(`  1 donor:   ${gaps(s.idleOne)}`)
  s.idleTwo.forEach((g, i) => console.log(`  2 donors, #${i + 1}: ${gaps(g)}`))
}
