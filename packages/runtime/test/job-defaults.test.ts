import { describe, expect, it } from 'vitest'
import { connectionJobDefaults, functionJobOptions } from '@tessera/runtime'

describe('job defaults', () => {
  it('checks results in public rooms, trusts a private room, and takes a quorum of 1 as "no checks"', () => {
    expect(connectionJobDefaults({})).toEqual({ adaptive: true })
    expect(connectionJobDefaults({ token: 't' })).toEqual({ adaptive: false })
    expect(connectionJobDefaults({ quorum: 1 })).toEqual({ adaptive: false, quorum: 1 })
    expect(connectionJobDefaults({ quorum: 3 })).toEqual({ adaptive: true, quorum: 3 })
    expect(connectionJobDefaults({ token: 't', adaptive: true })).toEqual({ adaptive: true })
  })

  it('lets a function override its connection, and a function asking quorum 1 alone turns adaptive replication off', () => {
    const publicRoom = connectionJobDefaults({})
    expect(functionJobOptions(publicRoom, { quorum: 1 })).toEqual({ adaptive: false, quorum: 1 })
    expect(functionJobOptions(publicRoom, { quorum: 3 })).toEqual({ adaptive: true, quorum: 3 })
    expect(functionJobOptions(publicRoom, { timeoutMs: 5 })).toEqual({ adaptive: true, timeoutMs: 5 })
    expect(functionJobOptions(undefined, { adaptive: true })).toEqual({ adaptive: true })
  })
})
