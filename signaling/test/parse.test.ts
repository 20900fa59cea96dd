import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseClientFrame, validateClientFrame } from '../src/parse.ts'
import { MAX_DATA_DEPTH, MAX_NAME_LENGTH, MAX_PROOF_LENGTH, MAX_TOKEN_LENGTH, MAX_TOPICS_PER_FRAME, SignalingProtocolError } from '../src/protocol.ts'
import { SignalingProtocolError as FromErrors } from '../src/errors.ts'

function refusal(text: string, options?: { maxTopics?: number }): SignalingProtocolError {
  try {
    parseClientFrame(text, options)
  } catch (error) {
    expect(error).toBeInstanceOf(SignalingProtocolError)
    return error as SignalingProtocolError
  }
  throw new Error(`accepted: ${text}`)
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf'
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { child: value }
  return value
}

describe('parseClientFrame', () => {
  it('accepts the four frame types, keeping only known fields', () => {
    expect(parseClientFrame('{"type":"ping","extra":1}')).toEqual({ type: 'ping' })
    expect(parseClientFrame('{"type":"subscribe","topics":[]}')).toEqual({ type: 'subscribe', topics: [] })
    expect(
      parseClientFrame(
        JSON.stringify({ type: 'subscribe', topics: ['a', 'b', 'a'], peer: 'p1', proof: 'sig', token: 't', meta: { kind: 'node', version: '1.2', secretSauce: 'x' }, junk: true }),
      ),
    ).toEqual({ type: 'subscribe', topics: ['a', 'b'], peer: 'p1', proof: 'sig', token: 't', meta: { kind: 'node', version: '1.2' } })
    expect(parseClientFrame('{"type":"unsubscribe","topics":["a"]}')).toEqual({ type: 'unsubscribe', topics: ['a'] })
    expect(parseClientFrame('{"type":"publish","topic":"a","data":{"x":[1,2]},"to":"p2"}')).toEqual({
      type: 'publish',
      topic: 'a',
      data: { x: [1, 2] },
      to: 'p2',
    })
    // y-webrtc's encrypted rooms publish a base64 string; null is JSON too.
    expect(parseClientFrame('{"type":"publish","topic":"a","data":"b64=="}')).toEqual({ type: 'publish', topic: 'a', data: 'b64==' })
    expect(parseClientFrame('{"type":"publish","topic":"a","data":null}')).toEqual({ type: 'publish', topic: 'a', data: null })
  })

  it.each([
    ['not JSON', '{"type":', /not valid JSON/],
    ['a JSON array', '["ping"]', /JSON object/],
    ['a JSON string', '"ping"', /JSON object/],
    ['null', 'null', /JSON object/],
    ['no type', '{}', /string "type"/],
    ['a numeric type', '{"type":5}', /string "type"/],
    ['an unknown type', '{"type":"shout"}', /unknown frame type "shout"/],
    ['topics not an array', '{"type":"subscribe","topics":"a"}', /"topics" must be an array/],
    ['a numeric topic', '{"type":"subscribe","topics":[1]}', /"topic" must be a string/],
    ['an empty topic', '{"type":"subscribe","topics":[""]}', /must not be empty/],
    ['a numeric peer', '{"type":"subscribe","topics":["a"],"peer":7}', /"peer" must be a string/],
    ['a null peer', '{"type":"subscribe","topics":["a"],"peer":null}', /"peer" must be a string/],
    ['a numeric proof', '{"type":"subscribe","topics":["a"],"peer":"p","proof":7}', /"proof" must be a string/],
    ['a numeric token', '{"type":"subscribe","topics":["a"],"token":7}', /"token" must be a string/],
    ['an array meta', '{"type":"subscribe","topics":["a"],"meta":[]}', /"meta" must be an object/],
    ['a bad meta.kind', '{"type":"subscribe","topics":["a"],"meta":{"kind":"toaster"}}', /meta.kind/],
    ['a numeric meta.version', '{"type":"subscribe","topics":["a"],"meta":{"version":1}}', /meta.version/],
    ['publish without data', '{"type":"publish","topic":"a"}', /needs a "data" field/],
    ['publish without topic', '{"type":"publish","data":1}', /"topic" must be a string/],
    ['publish with numeric to', '{"type":"publish","topic":"a","data":1,"to":3}', /"to" must be a string/],
    ['unsubscribe without topics', '{"type":"unsubscribe"}', /"topics" must be an array/],
  ])('refuses %s as bad-frame', (_label, text, reason) => {
    const error = refusal(text)
    expect(error.code).toBe('bad-frame')
    expect(error.message).toMatch(reason)
  })

  it('enforces the length limits exactly at the boundary', () => {
    const longest = 'x'.repeat(MAX_NAME_LENGTH)
    expect(parseClientFrame(JSON.stringify({ type: 'subscribe', topics: [longest], peer: longest }))).toMatchObject({ topics: [longest] })
    expect(refusal(JSON.stringify({ type: 'subscribe', topics: [`${longest}x`] })).message).toMatch(/longer than 256/)
    expect(refusal(JSON.stringify({ type: 'subscribe', topics: ['a'], peer: `${longest}x` })).message).toMatch(/"peer" is longer/)
    expect(refusal(JSON.stringify({ type: 'publish', topic: 'a', data: 1, to: `${longest}x` })).message).toMatch(/"to" is longer/)
    const token = 't'.repeat(MAX_TOKEN_LENGTH)
    expect(parseClientFrame(JSON.stringify({ type: 'subscribe', topics: ['a'], token }))).toMatchObject({ token })
    expect(refusal(JSON.stringify({ type: 'subscribe', topics: ['a'], token: `${token}t` })).message).toMatch(/"token" is longer/)
    const proof = 'p'.repeat(MAX_PROOF_LENGTH)
    expect(parseClientFrame(JSON.stringify({ type: 'subscribe', topics: ['a'], proof }))).toMatchObject({ proof })
    expect(refusal(JSON.stringify({ type: 'subscribe', topics: ['a'], proof: `${proof}p` })).message).toMatch(/"proof" is longer/)
  })

  it('refuses too many topics in one frame, with a configurable cap', () => {
    const topics = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`)
    expect(parseClientFrame(JSON.stringify({ type: 'subscribe', topics: topics(MAX_TOPICS_PER_FRAME) }))).toMatchObject({ type: 'subscribe' })
    expect(refusal(JSON.stringify({ type: 'subscribe', topics: topics(MAX_TOPICS_PER_FRAME + 1) })).message).toMatch(/at most 64 per frame/)
    expect(refusal(JSON.stringify({ type: 'unsubscribe', topics: topics(3) }), { maxTopics: 2 }).code).toBe('bad-frame')
  })

  it('refuses publish data nested deeper than MAX_DATA_DEPTH', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'publish', topic: 'a', data: nested(MAX_DATA_DEPTH) }))).toMatchObject({ type: 'publish' })
    expect(refusal(JSON.stringify({ type: 'publish', topic: 'a', data: nested(MAX_DATA_DEPTH + 1) })).message).toMatch(/nested deeper than 32/)
    // Far deeper than the stack could take recursively.
    const hostile = `{"type":"publish","topic":"a","data":${'['.repeat(30_000)}${']'.repeat(30_000)}}`
    expect(refusal(hostile).code).toBe('bad-frame')
  })

  it('echoes at most a short prefix of an unknown type', () => {
    const error = refusal(JSON.stringify({ type: 'x'.repeat(10_000) }))
    expect(error.message.length).toBeLessThan(100)
  })

  it('only ever throws SignalingProtocolError("bad-frame"), for any text or JSON value', () => {
    const check = (run: () => unknown): void => {
      try {
        run()
      } catch (error) {
        expect(error).toBeInstanceOf(SignalingProtocolError)
        expect((error as SignalingProtocolError).code).toBe('bad-frame')
      }
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => check(() => parseClientFrame(text))),
      { seed: 42, numRuns: 1000 },
    )
    const frameLike = fc.record(
      {
        type: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'publish', 'ping'), fc.jsonValue()),
        topics: fc.oneof(fc.array(fc.oneof(fc.string(), fc.jsonValue())), fc.jsonValue()),
        topic: fc.oneof(fc.string(), fc.jsonValue()),
        peer: fc.oneof(fc.string(), fc.jsonValue()),
        proof: fc.oneof(fc.string(), fc.jsonValue()),
        data: fc.jsonValue(),
        to: fc.oneof(fc.string(), fc.jsonValue()),
        meta: fc.oneof(fc.record({ kind: fc.oneof(fc.constantFrom('browser', 'node'), fc.jsonValue()) }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(frameLike, (value) => {
        check(() => {
          const frame = validateClientFrame(value)
          // Whatever is accepted round-trips through JSON to the same frame (as JSON spells it: -0 is 0).
          expect(parseClientFrame(JSON.stringify(frame))).toEqual(JSON.parse(JSON.stringify(frame)))
        })
      }),
      { seed: 7, numRuns: 1500 },
    )
  })

  it('keeps SignalingProtocolError importable from protocol.ts', () => {
    expect(SignalingProtocolError).toBe(FromErrors)
    expect(new SignalingProtocolError('unauthorized', 'no').name).toBe('SignalingProtocolError')
  })
})
