import { relative, resolve } from 'node:path'

/** A position in an original file that a bundle was built from. */
export interface OriginalPosition {
  /** As the map names it, relative to the bundle's directory. */
  readonly source: string
  /** 1-based line and column. */
  readonly line: number
  readonly column: number
}

interface Segment {
  readonly column: number
  readonly source: number
  readonly line: number
  readonly sourceColumn: number
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * A source map (version 3) read just enough to answer "which file and line did
 * this bundle position come from", for naming where a refused pure function's
 * helper reads a variable. esbuild writes the map; nothing here is hostile input.
 */
export class SourceMap {
  readonly #sources: readonly string[]
  readonly #lines: readonly (readonly Segment[])[]

  private constructor(sources: readonly string[], lines: readonly (readonly Segment[])[]) {
    this.#sources = sources
    this.#lines = lines
  }

  static parse(json: string): SourceMap | undefined {
    let map: { sources?: unknown; mappings?: unknown }
    try {
      map = JSON.parse(json) as typeof map
    } catch {
      return undefined
    }
    if (!Array.isArray(map.sources) || typeof map.mappings !== 'string') return undefined
    return new SourceMap(map.sources.map(String), decodeMappings(map.mappings))
  }

  /** The same map with its file names rebased from `from` (the bundle's directory) to `to`. */
  relativeTo(from: string, to: string): SourceMap {
    return new SourceMap(this.#sources.map((source) => relative(to, resolve(from, source))), this.#lines)
  }

  /** The original position of a 1-based line and 0-based column of the bundle, if mapped. */
  originalOf(line: number, column: number): OriginalPosition | undefined {
    const segments = this.#lines[line - 1] ?? []
    let best: Segment | undefined
    for (const segment of segments) {
      if (segment.column > column) break
      best = segment
    }
    const source = best === undefined ? undefined : this.#sources[best.source]
    if (best === undefined || source === undefined) return undefined
    return { source, line: best.line + 1, column: best.sourceColumn + 1 }
  }
}

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = []
  let source = 0
  let line = 0
  let sourceColumn = 0
  for (const text of mappings.split(';')) {
    const segments: Segment[] = []
    let column = 0
    for (const field of text.split(',')) {
      if (field === '') continue
      const values = decodeVlq(field)
      column += values[0] ?? 0
      if (values.length < 4) continue
      source += values[1] ?? 0
      line += values[2] ?? 0
      sourceColumn += values[3] ?? 0
      segments.push({ column, source, line, sourceColumn })
    }
    lines.push(segments)
  }
  return lines
}

function decodeVlq(field: string): number[] {
  const values: number[] = []
  let value = 0
  let shift = 0
  for (const char of field) {
    const digit = BASE64.indexOf(char)
    if (digit < 0) return values
    value += (digit & 31) << shift
    if ((digit & 32) !== 0) {
      shift += 5
      continue
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1)
    value = 0
    shift = 0
  }
  return values
}
