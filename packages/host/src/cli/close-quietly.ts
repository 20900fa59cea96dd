/**
 * Closes a swarm (and whatever else) at the end of a command. A send the mesh
 * had in flight (a blob reply, a presence record) may still fail on the closed
 * transport with `TransportClosedError` after `close()` began: the work is done
 * by then, so that is not the command failing. Anything else still is.
 */
export async function closeQuietly(...closers: ReadonlyArray<() => Promise<void>>): Promise<void> {
  const ignoreClosedTransport = (error: unknown): void => {
    if (error instanceof Error && error.name === 'TransportClosedError') return
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
  process.on('unhandledRejection', ignoreClosedTransport)
  process.on('uncaughtException', ignoreClosedTransport)
  for (const close of closers) await close()
}
