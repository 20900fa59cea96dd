import type { Page } from 'playwright-core'

/** The methods of a test page's API object that return promises. */
export type ApiMethod<Api> = { [K in keyof Api]: Api[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof Api] & string
type ArgsOf<F> = F extends (...args: infer A) => Promise<unknown> ? A : never
type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : never

/** Waits until the page has put its API object on `globalThis[name]`. */
export async function waitForPageApi(page: Page, name: string): Promise<void> {
  await page.waitForFunction((global) => (globalThis as Record<string, unknown>)[global] !== undefined, name, { timeout: 60_000 })
}

/**
 * Calls one method of the API object a test page put on `globalThis[name]`.
 * `page.evaluate` runs its callback in the page, so the callback can only name
 * the method, never hold it.
 */
export async function callPageApi<Api, K extends ApiMethod<Api>>(page: Page, name: string, method: K, ...args: ArgsOf<Api[K]>): Promise<ResultOf<Api[K]>> {
  return page.evaluate(
    ([global, key, values]) => {
      const api = (globalThis as Record<string, unknown>)[global] as Record<string, (...a: unknown[]) => Promise<unknown>> | undefined
      const run = api?.[key]
      if (run === undefined) throw new Error(`the page has no ${global}.${key}`)
      return run(...values)
    },
    [name, method, args as unknown[]] as const,
  ) as Promise<ResultOf<Api[K]>>
}
