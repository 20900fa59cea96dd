import { describe, expect, it } from 'vitest'
import { Rooms } from '../src/rooms.ts'

describe('Rooms', () => {
  it('tracks membership per connection and drops empty topics', () => {
    const rooms = new Rooms<string>()
    expect(rooms.join('a', 't1')).toBe('joined')
    expect(rooms.join('a', 't1')).toBe('already-member')
    expect(rooms.join('b', 't1')).toBe('joined')
    expect(rooms.join('a', 't2')).toBe('joined')
    expect([...rooms.members('t1')]).toEqual(['a', 'b'])
    expect([...rooms.topicsOf('a')]).toEqual(['t1', 't2'])
    expect(rooms.topicCount).toBe(2)

    expect(rooms.leave('a', 't2')).toEqual({ wasMember: true })
    expect(rooms.leave('a', 't2')).toEqual({ wasMember: false })
    expect(rooms.topicCount).toBe(1)
    expect(rooms.isMember('a', 't2')).toBe(false)
    expect(rooms.members('nowhere').size).toBe(0)
  })

  it('caps how many topics exist at once', () => {
    const rooms = new Rooms<string>(2)
    rooms.join('a', 't1')
    rooms.join('a', 't2')
    expect(rooms.join('a', 't3')).toBe('too-many-topics')
    expect(rooms.join('b', 't1')).toBe('joined') // existing topics stay joinable
    rooms.leave('a', 't2')
    expect(rooms.join('a', 't3')).toBe('joined')
  })

  it('binds peer ids of members only, and lists peers except the asker', () => {
    const rooms = new Rooms<string>()
    expect(rooms.bind('a', 't', 'A', {})).toEqual({ status: 'not-member' })
    rooms.join('a', 't')
    rooms.join('b', 't')
    rooms.join('c', 't')
    expect(rooms.bind('a', 't', 'A', { kind: 'node' })).toEqual({ status: 'bound' })
    expect(rooms.bind('b', 't', 'B', { kind: 'browser' })).toEqual({ status: 'bound' })
    expect(rooms.connectionOf('t', 'A')).toBe('a')
    expect(rooms.bindingOf('b', 't')).toMatchObject({ peer: 'B', meta: { kind: 'browser' } })
    expect(rooms.bindingOf('c', 't')).toBeUndefined()
    expect(rooms.peers('t', 'a')).toEqual([{ peer: 'B', meta: { kind: 'browser' } }])
    expect(rooms.peers('t')).toHaveLength(2)
  })

  it('re-binding the same id is unchanged; a new id reports the previous one', () => {
    const rooms = new Rooms<string>()
    rooms.join('a', 't')
    rooms.bind('a', 't', 'A', {})
    expect(rooms.bind('a', 't', 'A', { version: '2' })).toEqual({ status: 'unchanged' })
    expect(rooms.bindingOf('a', 't')?.meta).toEqual({ version: '2' })
    expect(rooms.bind('a', 't', 'A2', {})).toEqual({ status: 'bound', previousPeer: 'A' })
    expect(rooms.connectionOf('t', 'A')).toBeUndefined()
    expect(rooms.connectionOf('t', 'A2')).toBe('a')
  })

  it('moves an id to the newer connection, leaving the old one an unbound member', () => {
    const rooms = new Rooms<string>()
    rooms.join('old', 't')
    rooms.join('new', 't')
    rooms.bind('old', 't', 'P', {})
    expect(rooms.bind('new', 't', 'P', {})).toEqual({ status: 'bound', displaced: 'old' })
    expect(rooms.connectionOf('t', 'P')).toBe('new')
    expect(rooms.bindingOf('old', 't')).toBeUndefined()
    expect(rooms.isMember('old', 't')).toBe(true)
    // The old socket leaving later must not take the id with it.
    expect(rooms.leave('old', 't')).toEqual({ wasMember: true })
    expect(rooms.connectionOf('t', 'P')).toBe('new')
  })

  it('lets only a pinned bind take over a pinned id', () => {
    const rooms = new Rooms<string>()
    for (const conn of ['owner', 'squatter', 'reconnect']) rooms.join(conn, 't')
    rooms.bind('owner', 't', 'P', {}, true)
    expect(rooms.bind('squatter', 't', 'P', {})).toEqual({ status: 'conflict' })
    expect(rooms.connectionOf('t', 'P')).toBe('owner')
    expect(rooms.bind('owner', 't', 'Q', {})).toEqual({ status: 'conflict' })
    expect(rooms.bind('reconnect', 't', 'P', {}, true)).toEqual({ status: 'bound', displaced: 'owner' })
    expect(rooms.bindingOf('reconnect', 't')?.pinned).toBe(true)
    // Re-subscribing without the pin keeps it.
    expect(rooms.bind('reconnect', 't', 'P', {})).toEqual({ status: 'unchanged' })
    expect(rooms.bindingOf('reconnect', 't')?.pinned).toBe(true)
  })

  it('leaveAll reports each topic and the id held there', () => {
    const rooms = new Rooms<string>()
    rooms.join('a', 't1')
    rooms.join('a', 't2')
    rooms.join('b', 't2')
    rooms.bind('a', 't1', 'A', {})
    expect(rooms.leaveAll('a')).toEqual([{ topic: 't1', peer: 'A' }, { topic: 't2' }])
    expect(rooms.topicsOf('a').size).toBe(0)
    expect(rooms.topicCount).toBe(1)
    expect(rooms.connectionOf('t1', 'A')).toBeUndefined()
    expect(rooms.leaveAll('a')).toEqual([])
  })
})
