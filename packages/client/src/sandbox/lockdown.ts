import { SandboxError } from '@tessera/core'

/**
 * What a task's code must not reach, replaced before any task runs by stubs
 * that throw a `SandboxError` naming what was withheld. The frame's policy
 * already blocks every request these could make; the stubs make the failure
 * plain, and cover storage, which the policy does not govern.
 */
const WITHHELD_CALLS = [
  'fetch',
  'importScripts',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'RTCPeerConnection',
  'webkitRTCPeerConnection',
  'FileSystemHandle',
] as const

const WITHHELD_OBJECTS = ['indexedDB', 'caches', 'cookieStore'] as const

const WITHHELD_NAVIGATOR = ['storage', 'locks', 'serviceWorker', 'sendBeacon'] as const

function refusal(what: string): SandboxError {
  return new SandboxError(`${what} is not available to tasks: a task is a pure function of its arguments, with no network and no storage`)
}

function withhold(target: object, name: string, what: string): void {
  try {
    Object.defineProperty(target, name, {
      configurable: false,
      enumerable: false,
      get() {
        throw refusal(what)
      },
    })
  } catch {
    // A property that cannot be redefined keeps the policy as its only guard.
  }
}

/** Replaces network, storage and worker APIs on `scope` (the worker's global) with throwing stubs. */
export function lockDown(scope: typeof globalThis): void {
  for (const name of WITHHELD_CALLS) {
    const stub = function withheld(): never {
      throw refusal(name)
    }
    try {
      Object.defineProperty(scope, name, { configurable: false, enumerable: false, writable: false, value: stub })
    } catch {
      // As above: the policy still blocks what it would reach.
    }
  }
  for (const name of WITHHELD_OBJECTS) withhold(scope, name, name)
  const navigator = (scope as { navigator?: object }).navigator
  if (navigator !== undefined) for (const name of WITHHELD_NAVIGATOR) withhold(navigator, name, `navigator.${name}`)
}
