// The `tessera` command loads its TypeScript as one esbuild bundle, kept in
// node_modules/.cache/tessera-cli and rebuilt whenever a source file it was
// built from changes. Through tsx the same start took about 1.9 s of CPU (its
// module hooks resolve some 900 modules one message at a time); the bundle
// starts in about 0.7 s. `TESSERA_CLI_FROM_SOURCE=1` loads the sources through
// tsx instead, as does any failure to build or load the bundle (said on stderr
// with `TESSERA_DEBUG=1`); `TESSERA_CLI_CACHE=dir` keeps the bundle elsewhere.
// A bundle can leave out only packages resolvable from where it lies (`cacheDir`).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HOST = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ENTRY = join(HOST, 'src/cli/main.ts')
/** Where job modules' `@tessera/*` imports are served from in a bundled CLI (`src/cli/cli-modules.ts`). */
const REGISTRY = 'tessera.cli.modules'
/** Where `src/thread-handle.ts` finds the worker threads' bundle, built beside the CLI's. */
const THREAD_REGISTRY = 'tessera.cli.threadEntry'
const THREAD_ENTRY = join(HOST, 'src/thread-worker.ts')
/**
 * The packages a job module may import, bundled with the CLI so that a job shares
 * its classes (`instanceof CancelledError`). Browser-only and test entry points are not among them.
 */
const JOB_IMPORTS = ['@tessera/core', '@tessera/host', '@tessera/host/cli', '@tessera/runtime', '@tessera/runtime/pool', '@tessera/mesh', '@tessera/mesh/node', '@tessera/bigmatrix', '@tessera/bigmatrix/kernels', '@tessera/signaling']
const KEEP_BUNDLES = 4
/** This file's own version: a bundle built by another one is built again. */
const BUILDER = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 16)
/** The generated entry's name in the metafile and the source map; no such file exists. */
const ENTRY_NAME = 'cli-entry.ts'

/** Resolves with the CLI's `main`. */
export async function loadCli() {
  if (process.env.TESSERA_CLI_FROM_SOURCE !== '1') {
    try {
      const bundle = await freshBundle()
      return (await import(pathToFileURL(bundle).href)).main
    } catch (error) {
      if (process.env.TESSERA_DEBUG === '1') process.stderr.write(`tessera: loading the CLI from its sources (no bundle: ${error.message})\n`)
    }
  }
  const { register } = await import('tsx/esm/api')
  register()
  return (await import(pathToFileURL(ENTRY).href)).main
}

function cacheDir() {
  if (process.env.TESSERA_CLI_CACHE) return resolve(process.env.TESSERA_CLI_CACHE)
  // The repository's node_modules, so the bundle resolves the packages it leaves outside from there.
  const root = resolve(HOST, '../..')
  const base = existsSync(join(root, 'node_modules')) ? join(root, 'node_modules') : join(HOST, 'node_modules')
  return join(base, '.cache', 'tessera-cli')
}

async function freshBundle() {
  const dir = cacheDir()
  const current = readCurrent(dir)
  const built = current?.builder === BUILDER && unchanged(current.inputs) && [current.bundle, current.thread].every((file) => typeof file === 'string' && existsSync(join(dir, file)))
  if (built) return join(dir, current.bundle)
  return build(dir)
}

function readCurrent(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'current.json'), 'utf8'))
  } catch {
    return undefined
  }
}

function unchanged(inputs) {
  for (const [file, mtimeMs, size] of inputs) {
    try {
      const stat = statSync(file)
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return false
    } catch {
      return false
    }
  }
  return true
}

async function build(dir) {
  const require = createRequire(join(HOST, 'package.json'))
  const { build: esbuild } = await import(pathToFileURL(require.resolve('esbuild')).href)
  const patchFile = require.resolve('@tessera/donate-page/lib0-ascii-patch')
  const { patchLib0 } = await import(pathToFileURL(patchFile).href)
  const imports = JOB_IMPORTS.filter((specifier) => resolvable(require, specifier))
  const startedAt = Date.now()
  mkdirSync(dir, { recursive: true })
  const tmp = `.${process.pid}-${Date.now()}`
  // The worker threads' own bundle first: the CLI's names it.
  const thread = await esbuild({
    entryPoints: [THREAD_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    plugins: [workspaceOnly(patchLib0)],
  })
  const threadCode = thread.outputFiles[0]
  const threadName = `thread-${createHash('sha256').update(threadCode.contents).digest('hex').slice(0, 16)}.mjs`
  writeFileSync(join(dir, threadName + tmp), threadCode.text)
  renameSync(join(dir, threadName + tmp), join(dir, threadName))
  const entry = [
    ...imports.map((specifier, i) => `import * as m${i} from '${specifier}'`),
    `globalThis[Symbol.for('${REGISTRY}')] = { ${imports.map((specifier, i) => `'${specifier}': m${i}`).join(', ')} }`,
    `globalThis[Symbol.for('${THREAD_REGISTRY}')] = ${JSON.stringify(pathToFileURL(join(dir, threadName)).href)}`,
    `export { main } from './main.ts'`,
  ].join('\n')
  const result = await esbuild({
    stdin: { contents: entry, resolveDir: dirname(ENTRY), sourcefile: ENTRY_NAME, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: join(dir, 'cli.mjs'),
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [workspaceOnly(patchLib0)],
  })
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'))
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'))
  const name = `cli-${createHash('sha256').update(code.contents).digest('hex').slice(0, 16)}.mjs`
  // Written under a temporary name and renamed: CLI processes started together may build at once.
  writeFileSync(join(dir, name + tmp), code.text.replace(/sourceMappingURL=cli\.mjs\.map/, `sourceMappingURL=${name}.map`))
  writeFileSync(join(dir, `${name}.map${tmp}`), map.text)
  renameSync(join(dir, `${name}.map${tmp}`), join(dir, `${name}.map`))
  renameSync(join(dir, name + tmp), join(dir, name))
  // The sources, and the workspace's package.json files: a changed `exports` resolves differently.
  const sources = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(thread.metafile.inputs)])]
    .map((input) => resolve(input))
    .filter((file) => file !== join(dirname(ENTRY), ENTRY_NAME))
  // The lib0 patch shapes the bundle without being part of it: a change to it counts too.
  const inputs = [...sources, patchFile, ...workspaceManifests()].map((file) => {
    const stat = statSync(file)
    return [file, stat.mtimeMs, stat.size]
  })
  // A file saved while esbuild read it may be in the bundle as it was: not recorded, so the next start builds again.
  if (inputs.every(([, mtimeMs]) => mtimeMs < startedAt - 1_000)) {
    writeFileSync(join(dir, `current.json${tmp}`), JSON.stringify({ builder: BUILDER, bundle: name, thread: threadName, inputs }))
    renameSync(join(dir, `current.json${tmp}`), join(dir, 'current.json'))
  }
  removeOld(dir, { cli: name, thread: threadName })
  return join(dir, name)
}

/** The root package.json and each workspace's (the root's `workspaces`, `dir/*` globs included). */
function workspaceManifests() {
  const root = resolve(HOST, '../..')
  const manifest = join(root, 'package.json')
  let workspaces = []
  try {
    workspaces = JSON.parse(readFileSync(manifest, 'utf8')).workspaces ?? []
  } catch {
    return []
  }
  const dirs = workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)]
    const parent = join(root, pattern.slice(0, -2))
    return existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : []
  })
  return [manifest, ...dirs.map((dir) => join(dir, 'package.json')).filter((file) => existsSync(file))]
}

function resolvable(require, specifier) {
  try {
    require.resolve(specifier)
    return true
  } catch {
    return false
  }
}

/** Packages bundled besides Tessera's own: Yjs and lib0, with lib0's ASCII string paths (`@tessera/donate-page/lib0-ascii-patch`). */
const BUNDLED = /^(@tessera\/|yjs$|lib0(\/|$))/

/**
 * Tessera's own packages, Yjs and lib0 go into the bundle; every other package
 * stays outside it (native parts, esbuild, Vite). Each bundled file keeps its
 * own `import.meta.url`, by which it finds the files beside it.
 */
function workspaceOnly(patchLib0) {
  return {
    name: 'tessera-workspace-only',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }))
      builder.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8')
        const patched = patchLib0(args.path, text)
        if (patched !== undefined) return { contents: patched, loader: 'js' }
        if (!text.includes('import.meta.url')) return undefined
        const loader = args.path.endsWith('.ts') ? 'ts' : 'js'
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader }
      })
    },
  }
}

/** Keeps the bundles just written and the few before them (a CLI still running may use its own). */
function removeOld(dir, keep) {
  for (const [kind, name] of Object.entries(keep)) removeOldOf(dir, kind, name)
}

function removeOldOf(dir, kind, keep) {
  try {
    const bundles = readdirSync(dir)
      .filter((file) => new RegExp(`^${kind}-[0-9a-f]{16}\\.mjs$`).test(file) && file !== keep)
      .map((file) => ({ file, at: statSync(join(dir, file)).mtimeMs }))
      .sort((a, b) => b.at - a.at)
    for (const { file } of bundles.slice(KEEP_BUNDLES - 1)) {
      rmSync(join(dir, file), { force: true })
      rmSync(join(dir, `${file}.map`), { force: true })
    }
  } catch {
    // Old bundles are only disk space.
  }
}
