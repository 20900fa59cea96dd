// Ticks from a dedicated worker: a hidden tab throttles its own timers to about
// once a minute, which would let every lease lapse; a worker's are not throttled.
setInterval(() => postMessage(0), 25)
