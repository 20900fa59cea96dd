import type { JobOptions } from '@tessera/core'

/**
 * What every function of a connection starts from: adaptive replication in a
 * public room (no token), where every peer is a stranger; none in a private
 * room, whose members hold the operator's tokens; and none when the caller
 * asks for a quorum of 1 (it takes anyone's word), unless it says otherwise.
 */
export function connectionJobDefaults(options: { readonly adaptive?: boolean; readonly quorum?: number; readonly token?: string }): JobOptions {
  const adaptive = options.adaptive ?? (options.token === undefined && (options.quorum ?? 2) >= 2)
  return { adaptive, ...(options.quorum === undefined ? {} : { quorum: options.quorum }) }
}

/** A function's own options over its connection's defaults; a function that asks for quorum 1 alone turns adaptive replication off. */
export function functionJobOptions(defaults: JobOptions | undefined, own: JobOptions): JobOptions {
  const merged: JobOptions = { ...defaults, ...own }
  return own.quorum !== undefined && own.quorum < 2 && own.adaptive === undefined ? { ...merged, adaptive: false } : merged
}
