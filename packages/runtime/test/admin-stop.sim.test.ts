import { afterEach, describe, expect, it } from 'vitest'
import { adminCancellationStatement, CancelledError, Identity, JobOwnerError, useEd25519Engine, type JobEntry, type JobId } from '@tessera/core'
import { nodeEd25519 } from '@tessera/mesh/node'
import { PERFECT_NETWORK, type SimPeer } from '@tessera/core/testing'
import type { Swarm } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'
import { writeRaw } from './support/trust/hostile-peers.ts'

useEd25519Engine(nodeEd25519)

const slow = ({ x }: { x: number }): number => x + 1
let sims: SimSwarm[] = []
let hosts: Array<Swarm<SimPeer>> = []

function swarm(seed: number): SimSwarm {
  const sim = new SimSwarm({ seed, donors: 2, conditions: PERFECT_NETWORK, taskDurationMs: [20, 60] })
  sims.push(sim)
  return sim
}

function host(sim: SimSwarm, name: string, extra: Parameters<SimSwarm['host']>[3] = {}): Swarm<SimPeer> {
  const made = sim.host(name, 0, undefined, extra)
  hosts.push(made)
  return made
}

/** The victim's batch, running: its job id once every host sees it open, and how the batch ended. */
async function running(sim: SimSwarm, victim: Swarm, name: string, watchers: readonly Swarm[]): Promise<{ id: JobId; ended: Promise<unknown> }> {
  const call = victim.pure(slow, { name }).parallel(Array.from({ length: 600 }, (_, x) => ({ x })))
  const ended = call.then(
    () => 'finished',
    (error: unknown) => error,
  )
  let id: string | undefined
  await sim.clock.runUntil(() => (id = watchers.every((w) => w.jobs().some((job) => job.name === name && job.state === 'open')) ? victim.jobs().find((job) => job.name === name)?.id : undefined) !== undefined, sim.clock.now() + 10_000)
  if (id === undefined) throw new Error(`job ${name} never opened everywhere`)
  return { id: id as JobId, ended }
}

afterEach(async () => {
  for (const sim of sims) await sim.close(hosts)
  sims = []
  hosts = []
})

describe('a room admin stops a stranger\'s job through the public API', () => {
  it('the admin\'s stopJob cancels it on every peer; a non-admin\'s is refused, and its raw admin-shaped writes stop nothing', async () => {
    const sim = swarm(31)
    const victim = host(sim, 'victim')
    const stranger = host(sim, 'stranger')
    const admin = host(sim, 'root', { admin: true })
    await sim.wait(500)
    const { id, ended } = await running(sim, victim, 'victim-job', [stranger, admin])

    await expect(stranger.stopJob(id)).rejects.toBeInstanceOf(JobOwnerError)
    // The stranger seals a cancellation with its own (non-admin) certificate and writes it where an admin's would go.
    const entry = stranger.peer.swarm.job(id) as JobEntry
    const certificate = stranger.peer.roster.certificateOf(stranger.peer.id)
    expect(certificate?.admin).toBeUndefined()
    const forged = { ...entry, state: 'cancelled', cancelledBy: { certificate, sig: stranger.peer.identity.sign(adminCancellationStatement(entry, stranger.peer.id)) } }
    writeRaw(stranger.peer, 'jobs', [[id, forged]])
    ;(await stranger.peer.openDoc(`tessera/job/${id}`)).getMap('control').set('cancelled', forged)
    await sim.wait(3_000)
    expect(victim.peer.swarm.job(id)?.state).toBe('open')
    expect(sim.donors.map((donor) => donor.jobs.get(id)?.cancelled)).toEqual([false, false])

    // The admin's own `cancel()` sweeps only the admin's own jobs.
    await admin.cancel()
    await sim.wait(1_000)
    expect(victim.peer.swarm.job(id)?.state).toBe('open')

    expect(await admin.stopJob(id)).toBe(true)
    expect(await sim.settle(ended, 10_000)).toBeInstanceOf(CancelledError)
    await sim.wait(2_000)
    for (const peer of [victim.peer, stranger.peer, ...sim.donors]) {
      expect(peer.swarm.job(id)).toMatchObject({ state: 'cancelled', submittedBy: victim.peer.id, cancelledBy: { certificate: { peer: admin.peer.id, admin: true } } })
    }
    expect(sim.donors.map((donor) => donor.jobs.get(id)?.cancelled)).toEqual([true, true])
    // A peer that joins afterwards reads the same.
    const late = sim.addDonor()
    await sim.wait(3_000)
    expect(late.swarm.job(id)?.state).toBe('cancelled')
    expect(await admin.stopJob(id)).toBe(false)
  })

  it('a connection that holds the admin\'s key as a control key (as `tessera stop --cache-dir` does) stops it with the certificate that key\'s host left', async () => {
    const sim = swarm(32)
    const victim = host(sim, 'victim')
    const admin = host(sim, 'root', { admin: true })
    // Fresh ids of their own: one holds the admin's key, the other a stranger's.
    const withAdminKey = host(sim, 'stop-cli', { controlKeys: [Identity.fromSeed('root')] })
    const withOtherKey = host(sim, 'stop-cli-2', { controlKeys: [Identity.fromSeed('stranger')] })
    await sim.wait(500)
    const { id, ended } = await running(sim, victim, 'victim-job', [withAdminKey, withOtherKey])
    await expect(withOtherKey.stopJob(id)).rejects.toBeInstanceOf(JobOwnerError)
    // The admin's host has left: its certificate is no longer live, only kept in the swarm document.
    const rootId = admin.peer.id
    await admin.close()
    hosts = hosts.filter((h) => h !== admin)
    await sim.wait(500)
    expect(withAdminKey.peer.roster.certificateOf(rootId)).toBeUndefined()
    expect(await withAdminKey.stopJob(id)).toBe(true)
    expect(await sim.settle(ended, 10_000)).toBeInstanceOf(CancelledError)
    expect(victim.peer.swarm.job(id)?.cancelledBy?.certificate.peer).toBe(rootId)
  })
})
