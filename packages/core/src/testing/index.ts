/**
 * @packageDocumentation
 * Test support for Tessera's adapters: the contract checks every adapter
 * passes (framework-free, so browser pages run them too; Vitest runs them
 * through `@tessera/core/testing/vitest`), and the deterministic swarm simulator.
 */
export { SimClock } from './sim/sim-clock.ts'
export { SimulatedNetwork, PERFECT_NETWORK, type SimTransport, type NetworkConditions } from './sim/simulated-network.ts'
export { SimExecutor, type SimExecutorOptions } from './sim/sim-executor.ts'
export { SimPeer, type SimPeerOptions } from './sim/sim-peer.ts'
export { simIssuer, simCertificate, SIM_ROOM } from './sim/sim-roster.ts'
export { simulateJob, type SimulationOptions, type SimulationResult } from './sim/simulate-job.ts'
export * as executorFunctions from './executor-functions.ts'
export * from './contracts/index.ts'
export { signedReport, signedCacheEntry, signedClaim, signedTimeout } from './signed-records.ts'
