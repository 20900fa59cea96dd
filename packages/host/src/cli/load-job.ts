import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Message, type Plugin } from 'esbuild'
import { bundledModules, bundledModuleUrl } from './cli-modules.ts'
import { JobModuleError } from './cli-errors.ts'
import type { JobModule } from './job-api.ts'
import { ModuleScope } from './module-scope.ts'
import { SourceMap } from './source-map.ts'

export interface LoadedJob {
  readonly run: JobModule
  /** Every export of the module, the default one included. */
  readonly exports: Readonly<Record<string, unknown>>
  /** The bundle's top-level declarations, for `selfContained`. */
  readonly scope: ModuleScope
}

/**
 * Tessera's own packages stay outside the bundle, imported from where this CLI
 * runs: a job shares the CLI's `@tessera/core`, so `instanceof CancelledError`
 * works, and native parts (WebRTC) are never bundled.
 */
const tesseraPackagesStayExternal: Plugin = {
  name: 'tessera-external',
  setup(builder) {
    builder.onResolve({ filter: /^@tessera\// }, (args) => {
      const bundled = bundledModules()
      if (bundled === undefined) return { path: import.meta.resolve(args.path), external: true }
      const url = bundledModuleUrl(bundled, args.path)
      // As an esbuild error, so that it names the line of the import.
      if (url === undefined) return { errors: [{ text: `a job module cannot import ${args.path} here; it can import ${Object.keys(bundled).join(', ')}` }] }
      return { path: url, external: true }
    })
  },
}

/**
 * Bundles a job module with esbuild (local files and npm packages inlined into
 * one ES module), loads it, and returns its default export with the bundle's
 * scope, from which pure functions take the helpers they call.
 */
export async function loadJob(path: string): Promise<LoadedJob> {
  const file = resolve(path)
  if (!existsSync(file)) throw new JobModuleError(`no job module at ${path}`)
  const { source, map } = await bundle(file)
  const dir = await mkdtemp(join(tmpdir(), 'tessera-job-'))
  let loaded: Record<string, unknown> & { default?: unknown }
  try {
    const bundled = join(dir, `${basename(file).replace(/\.[cm]?[jt]sx?$/, '')}.mjs`)
    await writeFile(bundled, source)
    loaded = (await import(pathToFileURL(bundled).href)) as typeof loaded
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  if (typeof loaded.default !== 'function') {
    throw new JobModuleError(`${path} has no default export to run: export default async (swarm, context) => { ... }`)
  }
  return { run: loaded.default as JobModule, exports: loaded, scope: ModuleScope.of(source, map) }
}

/**
 * The bundle and its source map, whose file names are made relative to the
 * working directory so a refusal reads `node_modules/ml-matrix/src/util.js:12:7`.
 * Nothing is written: `outfile` only tells esbuild where paths are relative to.
 */
async function bundle(file: string): Promise<{ source: string; map: SourceMap | undefined }> {
  try {
    const outfile = join(dirname(file), '.tessera-bundle.mjs')
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      outfile,
      sourcemap: 'external',
      sourcesContent: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      plugins: [tesseraPackagesStayExternal],
    })
    const output = result.outputFiles.find((f) => f.path.endsWith('.mjs'))
    if (output === undefined) throw new JobModuleError(`esbuild wrote nothing for ${file}`)
    const mapFile = result.outputFiles.find((f) => f.path.endsWith('.map'))
    const map = mapFile === undefined ? undefined : SourceMap.parse(mapFile.text)
    return { source: output.text, map: map?.relativeTo(dirname(outfile), process.cwd()) }
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0]
    if (first === undefined) throw error
    const where = first.location === null ? '' : `${relative(process.cwd(), first.location.file)}:${first.location.line}:${first.location.column + 1}: `
    throw new JobModuleError(`cannot bundle ${relative(process.cwd(), file)}: ${where}${first.text}`)
  }
}
