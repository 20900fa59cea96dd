import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js'
import type { CpuProfile } from './cpu-profile.ts'

interface Frame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber?: number
  readonly columnNumber?: number
}

/**
 * A tab's CPU profile with each frame of the served bundles named by its
 * source file, line and function (as the bundle's source map says), as the dev server's one
 * module per file named them: `profileShares` tells the signature path by
 * source file. Frames of other scripts, or outside any mapped line, keep
 * their URL. Source-map lines are 1-based and V8's 0-based; columns both 0-based.
 */
export async function toSourceFiles(profile: CpuProfile, served: { readonly url: string; readonly dir: string }): Promise<CpuProfile> {
  type Loaded = { readonly consumer: SourceMapConsumer; readonly base: URL } | undefined
  // One read per bundle, however many frames name it: the promise is what is kept.
  const maps = new Map<string, Promise<Loaded>>()
  const load = async (url: string): Promise<Loaded> => {
    const mapPath = join(served.dir, `${decodeURIComponent(new URL(url).pathname)}.map`)
    const raw = await readFile(mapPath, 'utf8').catch(() => undefined)
    return raw === undefined ? undefined : { consumer: new SourceMapConsumer(JSON.parse(raw) as RawSourceMap), base: pathToFileURL(mapPath) }
  }
  const mapOf = (url: string): Promise<Loaded> => {
    let map = maps.get(url)
    if (map === undefined) maps.set(url, (map = load(url)))
    return map
  }
  const nodes = await Promise.all(
    profile.nodes.map(async (node) => {
      const frame = node.callFrame as Frame
      if (!frame.url.startsWith(served.url) || frame.lineNumber === undefined || frame.lineNumber < 0) return node
      const map = await mapOf(frame.url)
      if (map === undefined) return node
      const pos = map.consumer.originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber ?? 0 })
      const source = pos.source
      // Sources are relative to the map file: the absolute path, as a module's URL names its file.
      return source === null ? node : { ...node, callFrame: { ...frame, functionName: pos.name ?? frame.functionName, lineNumber: (pos.line ?? 1) - 1, columnNumber: pos.column ?? 0, url: fileURLToPath(new URL(source, map.base)) } }
    }),
  )
  return { ...profile, nodes }
}
