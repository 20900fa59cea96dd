import { describe, expect, it } from 'vitest'
import { pageOptions } from '@tessera/donate-page/page-options'

describe('the donate page address', () => {
  it('reads ?signaling= as one server, or as a comma-separated list of instances sharing rooms', () => {
    expect(pageOptions('?signaling=ws://a:1', 4).signaling).toBe('ws://a:1')
    expect(pageOptions('?signaling=ws://a:1, ws://b:2,,ws://c:3', 4).signaling).toEqual(['ws://a:1', 'ws://b:2', 'ws://c:3'])
    expect(pageOptions('?signaling=', 4)).not.toHaveProperty('signaling')
    expect(pageOptions('?room=x', 4)).not.toHaveProperty('signaling')
  })
})
