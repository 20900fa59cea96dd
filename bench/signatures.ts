/**
 * What Ed25519 costs each peer (issue 14, identities): sign and verify per
 * operation with each engine a peer could use, in Node and in Chromium.
 * Node hosts use node:crypto (`nodeEd25519`), tabs noble, both synchronous
 * (records are checked in synchronous readers); WebCrypto's asynchronous
 * Ed25519 is measured beside them to show what that choice costs or saves.
 * Figures and the reasons: docs/security/identity.md.
 */
import { nobleEd25519 } from '@tessera/core'
import { nodeEd25519 } from '@tessera/mesh/node'
import { openBenchPage } from './lib/browser-session.ts'
import { markdownTable } from './lib/report.ts'
import type { BenchFigure, BenchOptions, BenchSection } from './lib/section.ts'
import { round3 } from './lib/stats.ts'
import { barChart } from './lib/svg-chart.ts'
import { FULL_COUNTS, QUICK_COUNTS, engineMeasurers, measureInTurns, webCryptoMeasurers, type SignatureOp, type SignatureRow } from './signatures/measure.ts'

type Environment = SignatureRow['environment']

function find(rows: readonly SignatureRow[], environment: Environment, engine: string, op: SignatureOp): SignatureRow | undefined {
  return rows.find((row) => row.environment === environment && row.engine === engine && row.op === op)
}

function must(rows: readonly SignatureRow[], environment: Environment, engine: string, op: SignatureOp): SignatureRow {
  const row = find(rows, environment, engine, op)
  if (row === undefined) throw new Error(`signature bench: no ${engine} ${op} in ${environment}`)
  return row
}

/** The engine a peer uses, against the other choice in the same environment; ratio = how many times faster ours is. */
function figure(rows: readonly SignatureRow[], environment: Environment, ours: string, other: string, op: 'sign' | 'verify', note: string): BenchFigure {
  const mine = must(rows, environment, ours, op)
  const baseline = find(rows, environment, other, op)
  const where = environment === 'node' ? 'Node' : 'Chromium'
  return {
    id: `signatures.${environment}-${op}`,
    title: `Ed25519 ${op} in ${where} (${ours}, the engine ${environment === 'node' ? 'Node peers' : 'tabs'} use)`,
    value: round3(mine.microsPerOp),
    unit: `µs/${op}`,
    ...(baseline === undefined
      ? {}
      : {
          baseline: { label: `${other} in ${where}`, value: round3(baseline.microsPerOp), unit: `µs/${op}` },
          ratio: round3(baseline.microsPerOp / mine.microsPerOp),
        }),
    note,
  }
}

async function chromiumRows(quick: boolean): Promise<SignatureRow[]> {
  const tab = await openBenchPage('signatures', quick ? { quick: 1 } : {}, 'signatureBench')
  try {
    const outcome = await tab.evaluate(() => {
      const page = globalThis as typeof globalThis & { signatureBench?: SignatureRow[]; signatureBenchError?: string }
      return { rows: page.signatureBench ?? [], error: page.signatureBenchError }
    })
    if (outcome.error !== undefined) throw new Error(`in Chromium: ${outcome.error}`)
    return outcome.rows
  } finally {
    await tab.close()
  }
}

function table(rows: readonly SignatureRow[]): string {
  const header = ['Environment', 'Engine', 'Operation', 'µs/op', 'ops/s', 'Operations timed']
  const cells = rows.map((row) => [
    row.environment === 'node' ? 'Node' : 'Chromium',
    row.engine,
    row.op === 'verify-new-signer' ? 'verify, new signer' : row.op,
    String(round3(row.microsPerOp)),
    String(Math.round(1e6 / row.microsPerOp)),
    String(row.ops),
  ])
  return markdownTable(header, cells, (i) => i >= 3)
}

export async function runSignaturesBench(options: BenchOptions): Promise<BenchSection> {
  const counts = options.quick ? QUICK_COUNTS : FULL_COUNTS
  const log = (line: string): void => {
    if (options.verbose) console.log(`   ${line}`)
  }
  // Node's fixtures are signed natively (the contract test holds node:crypto to noble's bytes), which saves seconds.
  const rows = await measureInTurns(
    'node',
    [...engineMeasurers(nodeEd25519, nodeEd25519, counts.fast, true), ...engineMeasurers(nobleEd25519, nodeEd25519, counts.slow, false), ...(await webCryptoMeasurers(nodeEd25519, counts.fast))],
    counts.batches,
  )
  log(`Node: ${rows.map((r) => `${r.engine} ${r.op} ${round3(r.microsPerOp)} µs`).join(', ')}`)
  const chromium = await chromiumRows(options.quick)
  rows.push(...chromium)
  log(`Chromium: ${chromium.map((r) => `${r.engine} ${r.op} ${round3(r.microsPerOp)} µs`).join(', ')}`)

  const hasChromiumWebCrypto = find(rows, 'chromium', 'webcrypto', 'verify') !== undefined
  const figures = [
    figure(rows, 'node', 'node:crypto', 'noble', 'sign', 'Ratio = noble time / node:crypto time. Synchronous, as the pure-JS default.'),
    figure(rows, 'node', 'node:crypto', 'noble', 'verify', 'Ratio = noble time / node:crypto time; a few known signers, whose KeyObjects node-ed25519.ts caches (see the table for a new signer).'),
    figure(rows, 'chromium', 'noble', 'webcrypto', 'sign', `Ratio = WebCrypto time / noble time (below 1: WebCrypto is faster, but asynchronous).${hasChromiumWebCrypto ? '' : ' This Chromium has no WebCrypto Ed25519.'}`),
    figure(rows, 'chromium', 'noble', 'webcrypto', 'verify', 'Ratio = WebCrypto time / noble time, WebCrypto timed one awaited call after another, as a reader would meet records.'),
  ]

  const groups = (['sign', 'verify', 'verify-new-signer'] as const).flatMap((op) =>
    (['node', 'chromium'] as const).map((environment) => ({
      label: `${op === 'verify-new-signer' ? 'verify, new signer' : op} (${environment === 'node' ? 'Node' : 'Chromium'})`,
      values: ['node:crypto', 'noble', 'webcrypto'].map((engine) => find(rows, environment, engine, op)?.microsPerOp ?? Number.NaN),
    })),
  )
  return {
    id: 'signatures',
    title: 'Ed25519 signatures (peer identities): sign and verify per operation, Node and Chromium',
    figures,
    markdown: [
      `Each row times its operations one after the other on one thread, on 32-byte messages (a batch root), in ${counts.batches} batches taken in turns with the other rows of its environment; µs/op is the median batch's.`,
      'WebCrypto includes its promise round trip; "new signer" imports the public key first (node:crypto builds a KeyObject, WebCrypto calls `importKey`).',
      'noble has no per-key state, so its verify is the same for a new signer. Every engine produced the same signatures (checked).',
      '',
      table(rows),
      '',
      '![Ed25519 per operation](signatures.svg)',
    ].join('\n'),
    charts: {
      'signatures.svg': barChart({
        title: 'Ed25519 µs per operation (log scale; lower is faster)',
        unit: 'µs',
        series: ['node:crypto', 'noble', 'webcrypto'],
        groups: groups.filter((g) => g.values.some(Number.isFinite)),
        log: true,
      }),
    },
    data: { counts, rows },
  }
}
