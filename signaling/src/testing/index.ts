/** What tests and benches of any package use to start the servers signaling works with. */
export { RedisServerMissingError, startTestRedis, type TestRedis } from './redis-server.ts'
export { exitOf, freePort, stopChild } from './processes.ts'
