import sandboxWorkerUrl from './sandbox-worker.ts?worker&url'
import type { WorkerCode } from './protocol.ts'

/**
 * Where the sandbox's worker code comes from. A production build makes the
 * worker one self-contained classic script (Vite's `worker.format: 'iife'`):
 * the page fetches its text and the frame starts it from a `blob:` URL, so the
 * frame's policy needs no network source at all. Vite's dev server serves the
 * worker as a module with imports instead; the frame then imports it from the
 * dev server, whose origin its policy lets serve scripts (and which must answer
 * the frame's opaque origin with CORS: `server.cors: true`).
 */
export async function loadWorkerCode(): Promise<WorkerCode> {
  const url = new URL(sandboxWorkerUrl, import.meta.url)
  if (url.searchParams.has('worker_file')) return { kind: 'module', url: url.href }
  const response = await fetch(url)
  if (!response.ok) throw new Error(`could not load the sandbox worker from ${url.href}: HTTP ${response.status}`)
  return { kind: 'classic', source: await response.text() }
}
