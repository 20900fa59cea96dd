// The HTTP API's own connections to rooms: capped, shared per room, and a
// join that fails or hangs gives its slot back.
import { describe, expect, it } from 'vitest'
import type { Swarm } from '@tessera/runtime'
import { RoomSwarms } from '../src/serve/http-api/room-swarms.ts'
import type { connect } from '../src/connect.ts'

const fakeSwarm = (): Swarm => ({ close: async () => {} }) as unknown as Swarm

function rooms(join: (room: string) => Promise<Swarm>, joinTimeoutMs = 1_000): { pool: RoomSwarms; joined: Array<{ room: string; token?: string }> } {
  const joined: Array<{ room: string; token?: string }> = []
  const fake = ((options: { room: string; token?: string }) => {
    joined.push({ room: options.room, ...(options.token === undefined ? {} : { token: options.token }) })
    return join(options.room)
  }) as unknown as typeof connect
  const pool = new RoomSwarms({ signaling: () => 'ws://127.0.0.1:1', secret: 'a-secret-of-16-chars', isPrivate: (room) => room.startsWith('private:'), maxRooms: 2, joinTimeoutMs, connect: fake })
  return { pool, joined }
}

describe('RoomSwarms', () => {
  it('joins each room once, with its own token only in private rooms, and refuses rooms past the cap', async () => {
    const { pool, joined } = rooms(async () => fakeSwarm())
    const [a, again] = await Promise.all([pool.get('public'), pool.get('public')])
    expect(a).toBe(again)
    await pool.get('private:lab')
    expect(joined.map((j) => [j.room, j.token !== undefined])).toEqual([
      ['public', false],
      ['private:lab', true],
    ])
    await expect(pool.get('third')).rejects.toMatchObject({ name: 'ApiBusyError', status: 429 })
    await pool.close()
    await expect(pool.get('public')).rejects.toMatchObject({ name: 'ApiRoomError' })
  })

  it('gives the slot back when a join fails or hangs', async () => {
    let attempts = 0
    const { pool } = rooms((room) => {
      attempts++
      if (room === 'down') return Promise.reject(new Error('refused'))
      return attempts > 3 ? Promise.resolve(fakeSwarm()) : new Promise<Swarm>(() => {})
    }, 50)
    await expect(pool.get('down')).rejects.toMatchObject({ name: 'ApiRoomError', status: 502, message: expect.stringContaining('refused') })
    await expect(pool.get('slow')).rejects.toMatchObject({ name: 'ApiRoomError', message: expect.stringContaining('took over 50 ms') })
    await expect(pool.get('down')).rejects.toMatchObject({ name: 'ApiRoomError' })
    expect(pool.size).toBe(0)
    await expect(pool.get('slow')).resolves.toBeDefined()
    expect(pool.size).toBe(1)
  })
})
