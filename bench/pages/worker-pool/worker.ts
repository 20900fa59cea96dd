// The baseline's worker: the same trivial function, one message per task.
const square = ({ x }: { x: number }): number => x * x

self.onmessage = (event: MessageEvent<{ i: number; args: { x: number } }>) => {
  self.postMessage({ i: event.data.i, value: square(event.data.args) })
}
