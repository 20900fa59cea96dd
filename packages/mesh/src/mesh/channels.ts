import type { Channel } from '../framing/frames.ts'

/** The logical streams that share each link. Each keeps its own order. */
export const CHANNELS = {
  docs: 1,
  blobs: 2,
  presence: 3,
} as const satisfies Record<string, Channel>
