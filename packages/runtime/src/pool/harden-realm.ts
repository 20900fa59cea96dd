/**
 * Source of a script that hardens the realm it runs in, before any task code
 * does: every built-in reachable from the global object, from the intrinsics
 * that only instances reach (iterator and generator prototypes), and the global
 * object itself are frozen, so no task can change what a later task sees
 * (`Math.sqrt = () => 42` throws a TypeError). The legacy RegExp statics, which
 * carry the last match from one call to the next, are removed.
 *
 * Freezing prototypes breaks the ordinary `this.name = 'MyError'` or
 * `proto.toString = ...` (assigning a property a frozen prototype already has
 * throws in strict code, the "override mistake"), so the few properties that
 * code commonly overrides become accessors whose setter defines the property on
 * the object assigned to, as SES does.
 *
 * Kept as plain JavaScript text so it can be evaluated in any realm (a tab's
 * worker, an isolated-vm context) without a bundler touching it.
 */
export const HARDEN_REALM_SOURCE = String.raw`(function hardenRealm(global) {
  'use strict'
  const { freeze, getPrototypeOf, getOwnPropertyDescriptor, defineProperty } = Object
  const ownKeys = Reflect.ownKeys
  const legacyRegExpStatics = ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_',
    'lastMatch', '$&', 'lastParen', '$+', 'leftContext', '$' + String.fromCharCode(96), 'rightContext', "$'"]
  for (const name of legacyRegExpStatics) {
    try { delete RegExp[name] } catch (e) {}
  }
  const hidden = []
  const reach = (get) => { try { hidden.push(get()) } catch (e) {} }
  reach(() => getPrototypeOf(function* () {}))
  reach(() => getPrototypeOf(async function () {}))
  reach(() => getPrototypeOf(async function* () {}))
  reach(() => getPrototypeOf((function* () {})()))
  reach(() => getPrototypeOf((async function* () {})()))
  reach(() => getPrototypeOf([][Symbol.iterator]()))
  reach(() => getPrototypeOf(new Map()[Symbol.iterator]()))
  reach(() => getPrototypeOf(new Set()[Symbol.iterator]()))
  reach(() => getPrototypeOf(''[Symbol.iterator]()))
  reach(() => getPrototypeOf(/a/[Symbol.matchAll]('')))
  reach(() => getPrototypeOf([].values().map((x) => x)))
  reach(() => getPrototypeOf(Iterator.from({ next() { return { done: true } } })))
  reach(() => getPrototypeOf(new Intl.Segmenter().segment('')))
  reach(() => getPrototypeOf(new Intl.Segmenter().segment('')[Symbol.iterator]()))
  reach(() => getOwnPropertyDescriptor(Function.prototype, 'caller').get)

  const overridable = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'toJSON', 'name', 'message']
  const tame = (object, name) => {
    const desc = getOwnPropertyDescriptor(object, name)
    if (desc === undefined || !('value' in desc) || !desc.configurable) return
    const value = desc.value
    defineProperty(object, name, {
      get: function () { return value },
      set: function (next) {
        if (this === object) throw new TypeError('Cannot assign to read only property ' + String(name) + ' of a hardened object')
        defineProperty(this, name, { value: next, writable: true, enumerable: true, configurable: true })
      },
      enumerable: desc.enumerable,
      configurable: false,
    })
  }
  const seen = new Set()
  const stack = [global, ...hidden]
  const pending = []
  while (stack.length > 0) {
    const object = stack.pop()
    if ((typeof object !== 'object' && typeof object !== 'function') || object === null || seen.has(object)) continue
    seen.add(object)
    pending.push(object)
    stack.push(getPrototypeOf(object))
    for (const key of ownKeys(object)) {
      let desc
      try { desc = getOwnPropertyDescriptor(object, key) } catch (e) { continue }
      if (desc === undefined) continue
      if ('value' in desc) stack.push(desc.value)
      else { stack.push(desc.get); stack.push(desc.set) }
    }
  }
  // Prototypes of constructors: where the override mistake bites.
  for (const object of pending) {
    if (typeof object !== 'function') continue
    let proto
    try { proto = object.prototype } catch (e) { continue }
    if (typeof proto !== 'object' || proto === null) continue
    for (const name of overridable) tame(proto, name)
  }
  for (const object of pending) {
    try { freeze(object) } catch (e) {}
  }
})(globalThis)`

/** Hardens the calling realm (see `HARDEN_REALM_SOURCE`). Call it once, before any task code runs. */
export function hardenThisRealm(): void {
  // Indirect eval: the script runs in the global scope, and needs `'unsafe-eval'`, which task compilation needs anyway.
  ;(0, eval)(HARDEN_REALM_SOURCE)
}
