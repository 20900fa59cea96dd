/** Where a command writes and what it reads from its environment: the process's, or a test's. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { readonly isTTY?: boolean; write(text: string): unknown }
  readonly env: Readonly<Record<string, string | undefined>>
  /** Resolves on the first SIGINT or SIGTERM (Ctrl-C), with its name. */
  interrupted(): Promise<string>
}

export const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  interrupted: () =>
    new Promise((resolve) => {
      const once = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', once)
        process.off('SIGTERM', once)
        // A second Ctrl-C while we wind down means "now".
        process.once('SIGINT', () => process.exit(130))
        resolve(signal)
      }
      process.on('SIGINT', once)
      process.on('SIGTERM', once)
    }),
}
