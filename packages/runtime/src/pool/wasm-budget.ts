/**
 * Source of a script that puts a task's WebAssembly memories under a budget, in
 * the realm it runs in (an isolated-vm context, a tab's task worker), before
 * the realm is hardened and before any task code runs.
 *
 * Why: an engine reserves WebAssembly memory on its own, outside the heap cap
 * isolated-vm enforces, so without this one task could grow one memory to
 * gigabytes. A memory can only ever grow up to the maximum it declares (the
 * engine enforces that, for `memory.grow` in wasm code as for `grow()` from
 * JavaScript), so the budget is on declared maxima:
 *
 * - `new WebAssembly.Memory(d)` must give `d.maximum`; 64-bit memories are refused,
 *   shared ones counted like any other.
 * - A module's own memories (its memory section, read from the bytes, since the
 *   JS API does not expose limits) must each declare a maximum, and are counted
 *   each time the module is instantiated. Imported memories were counted when
 *   they were created.
 * - The sum of what one task creates stays within `budgetBytes`, each memory
 *   counted for at least 1 MiB; past it, the call throws a `TaskMemoryError`
 *   before anything is allocated.
 *
 * The wrappers replace `Memory`, `Module`, `Instance`, `compile`, `instantiate`
 * (and the streaming forms, which a task has no use for) on the realm's
 * `WebAssembly`, and the `constructor` of their prototypes, so no memory or
 * module a task obtains leads back to the originals; hardening then freezes it
 * all. The script leaves `globalThis.__tesseraWasmBudget`, a function that hands
 * out the `WasmBudget` controller once: the task runner takes it before any
 * task code runs, and task code gets `undefined`.
 */
export function wasmBudgetSource(budgetBytes: number): string {
  if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 0) throw new RangeError(`a WebAssembly memory budget must be a whole number of bytes, not ${budgetBytes}`)
  return String.raw`(function wasmBudget(global, budgetBytes) {
  'use strict'
  const { apply, construct, ownKeys } = Reflect
  const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf } = Object
  const PAGE = 65536
  // Every memory counts for at least this much, so a task cannot make memories (each with its own reservation
  // of address space) without bound by declaring tiny maxima.
  const LEAST = 16 * PAGE
  const mib = (bytes) => String(Math.round(bytes / 1048576 * 10) / 10)
  class TaskMemoryError extends Error {}
  defineProperty(TaskMemoryError.prototype, 'name', { value: 'TaskMemoryError' })
  freeze(TaskMemoryError.prototype)
  freeze(TaskMemoryError)

  // The task being run: what it has declared so far, and the first refusal it met.
  // Outside a task (the function's own compilation, promise callbacks after it ended) nothing may be created.
  let open = false
  let epoch = 0
  let spent = 0
  let refused
  const refuse = (message) => {
    if (refused === undefined) refused = message
    throw new TaskMemoryError(message)
  }
  // bytes: what the memories about to be made count for, or why they may not be made.
  const charge = (bytes, what) => {
    if (typeof bytes === 'string') refuse('a WebAssembly module that ' + bytes)
    if (!open) refuse(what + ': WebAssembly memory can only be created while a task runs')
    if (spent + bytes > budgetBytes) {
      refuse(what + ' counts for ' + mib(bytes) + ' MiB, which would take this task\'s WebAssembly memories to ' +
        mib(spent + bytes) + ' MiB, over the donor\'s budget of ' + mib(budgetBytes) + ' MiB (declared maxima, at least 1 MiB each)')
    }
    spent += bytes
    return epoch
  }
  const refund = (bytes, chargedIn) => { if (chargedIn === epoch && typeof bytes === 'number') spent -= bytes }

  // Every memory ever charged, while something still holds it: what a later task would find still allocated.
  const Weak = typeof WeakRef === 'function' ? WeakRef : undefined
  const deref = Weak === undefined ? undefined : Weak.prototype.deref
  const held = []
  const WA = global.WebAssembly
  const budget = freeze({
    start() { epoch++; spent = 0; refused = undefined; open = true },
    end() {
      open = false
      let liveBytes = 0
      for (let i = held.length - 1; i >= 0; i--) {
        const alive = held[i].refs.some((ref) => Weak === undefined || apply(deref, ref, []) !== undefined)
        if (alive) liveBytes += held[i].bytes
        else held.splice(i, 1)
      }
      return { refused, liveBytes }
    },
  })
  let offered = budget
  defineProperty(global, '__tesseraWasmBudget', { value: () => { const taken = offered; offered = undefined; return taken }, enumerable: false })
  if (typeof WA !== 'object' || WA === null) return

  const OMemory = WA.Memory
  const OModule = WA.Module
  const OInstance = WA.Instance
  const ocompile = WA.compile
  const oinstantiate = WA.instantiate
  const then = Promise.prototype.then
  const rejected = (error) => Promise.reject(error)
  const getter = (proto, name) => getOwnPropertyDescriptor(proto, name).get
  const instanceExports = getter(OInstance.prototype, 'exports')
  const hold = (bytes, instanceOrMemory) => {
    if (typeof bytes !== 'number' || bytes === 0) return
    const refs = []
    if (Weak !== undefined) {
      refs.push(new Weak(instanceOrMemory))
      // An exported memory outlives its instance if the task keeps only the memory.
      if (!(instanceOrMemory instanceof OMemory)) {
        const exports = apply(instanceExports, instanceOrMemory, [])
        for (const key of ownKeys(exports)) if (exports[key] instanceof OMemory) refs.push(new Weak(exports[key]))
      }
    }
    held.push({ bytes, refs })
  }

  // A private copy of the bytes, read through the intrinsic getters (an own "buffer" property on a view does not count):
  // what is read for the budget is exactly what is compiled.
  const U8 = Uint8Array
  const set = U8.prototype.set
  const viewGetters = [getPrototypeOf(U8.prototype), DataView.prototype].map((proto) => [getter(proto, 'buffer'), getter(proto, 'byteOffset'), getter(proto, 'byteLength')])
  const bufferLengths = [getter(ArrayBuffer.prototype, 'byteLength')]
  if (typeof SharedArrayBuffer === 'function') bufferLengths.push(getter(SharedArrayBuffer.prototype, 'byteLength'))
  const tryGet = (get, target) => { try { return { value: apply(get, target, []) } } catch (e) { return undefined } }
  const copyBytes = (source, where) => {
    let view
    for (const [buffer, offset, length] of viewGetters) {
      const b = tryGet(buffer, source)
      if (b !== undefined) { view = new U8(b.value, apply(offset, source, []), apply(length, source, [])); break }
    }
    if (view === undefined) {
      for (const length of bufferLengths) if (tryGet(length, source) !== undefined) { view = new U8(source); break }
    }
    if (view === undefined) throw new TypeError(where + ': Argument 0 must be a buffer source')
    const copy = new U8(view.length)
    apply(set, copy, [view])
    return copy
  }

  // The bytes every instance's own memories may grow to (memory section, id 5), or why they may not be created.
  const ownMemoryBytes = (bytes) => {
    let at = 8
    const u32 = () => {
      let value = 0
      for (let shift = 0; shift < 35; shift += 7) {
        if (at >= bytes.length) throw new RangeError('truncated')
        const b = bytes[at++]
        value += (b & 0x7f) * 2 ** shift
        if ((b & 0x80) === 0) return value
      }
      throw new RangeError('overlong')
    }
    try {
      let total = 0
      while (at < bytes.length) {
        const id = bytes[at++]
        const end = u32() + at
        if (id === 5) {
          for (let count = u32(); count > 0; count--) {
            const flags = bytes[at++]
            if ((flags & ~3) !== 0) return 'defines a 64-bit (or unknown kind of) memory, which a task may not create'
            u32()
            if ((flags & 1) === 0) return 'defines a memory with no maximum: a task\'s WebAssembly memories must declare one (max pages)'
            total += Math.max(u32() * PAGE, LEAST)
          }
          if (at !== end) throw new RangeError('memory section size')
        }
        at = end
      }
      if (at !== bytes.length) throw new RangeError('past the end')
      return total
    } catch (e) {
      // The engine rejects what this cannot read; should it ever accept it, the module is refused anyway.
      return 'could not be read to find its memories'
    }
  }
  const modules = new WeakMap()
  const ownOf = (module) => (modules.has(module) ? modules.get(module) : undefined)

  const Memory = function Memory(descriptor) {
    if (new.target === undefined) throw new TypeError('WebAssembly.Memory must be invoked with \'new\'')
    if (typeof descriptor !== 'object' || descriptor === null) throw new TypeError('WebAssembly.Memory(): Argument 0 must be a memory descriptor')
    // Each property is read once, and the engine sees only these plain values.
    const initial = descriptor.initial
    const maximum = descriptor.maximum
    const shared = descriptor.shared
    const index = descriptor.index
    if (index !== undefined && String(index) !== 'i32') refuse('new WebAssembly.Memory(): 64-bit memories are not available to tasks')
    if (maximum === undefined) refuse('new WebAssembly.Memory() needs a maximum: a task\'s WebAssembly memories must declare one (in pages of 64 KiB)')
    const pages = Math.trunc(Number(maximum))
    if (!(pages >= 0 && pages <= 65536)) throw new RangeError('WebAssembly.Memory(): maximum must be between 0 and 65536 pages')
    const clean = { __proto__: null, initial: initial === undefined ? undefined : Number(initial), maximum: pages, shared: Boolean(shared) }
    const counted = Math.max(pages * PAGE, LEAST)
    const chargedIn = charge(counted, 'new WebAssembly.Memory({ maximum: ' + pages + ' })')
    let memory
    try { memory = construct(OMemory, [clean], new.target) } catch (e) { refund(counted, chargedIn); throw e }
    hold(counted, memory)
    return memory
  }
  const Module = function Module(bytes) {
    if (new.target === undefined) throw new TypeError('WebAssembly.Module must be invoked with \'new\'')
    const copy = copyBytes(bytes, 'WebAssembly.Module()')
    const own = ownMemoryBytes(copy)
    const module = construct(OModule, [copy], new.target)
    modules.set(module, own)
    return module
  }
  const Instance = function Instance(module, imports) {
    if (new.target === undefined) throw new TypeError('WebAssembly.Instance must be invoked with \'new\'')
    const own = ownOf(module)
    if (own === undefined) throw new TypeError('WebAssembly.Instance(): Argument 0 must be a WebAssembly.Module')
    const chargedIn = charge(own, 'instantiating a WebAssembly module')
    let instance
    try { instance = construct(OInstance, [module, imports], new.target) } catch (e) { refund(own, chargedIn); throw e }
    hold(own, instance)
    return instance
  }
  const compile = function compile(bytes) {
    let copy
    try { copy = copyBytes(bytes, 'WebAssembly.compile()') } catch (e) { return rejected(e) }
    const own = ownMemoryBytes(copy)
    return apply(then, apply(ocompile, WA, [copy]), [(module) => { modules.set(module, own); return module }])
  }
  const instantiate = function instantiate(source, imports) {
    const known = ownOf(source)
    let copy
    if (known === undefined) {
      try { copy = copyBytes(source, 'WebAssembly.instantiate()') } catch (e) { return rejected(e) }
    }
    const own = known === undefined ? ownMemoryBytes(copy) : known
    let chargedIn
    try { chargedIn = charge(own, 'instantiating a WebAssembly module') } catch (e) { return rejected(e) }
    const started = apply(oinstantiate, WA, [known === undefined ? copy : source, imports])
    return apply(then, started, [
      (result) => {
        if (known !== undefined) { hold(own, result); return result }
        modules.set(result.module, own)
        hold(own, result.instance)
        return result
      },
      (error) => { refund(own, chargedIn); throw error },
    ])
  }
  const unavailable = (name) => ({ [name]() { return rejected(new TypeError('WebAssembly.' + name + '() is not available to tasks: compile the bytes instead')) } })[name]

  const replace = (object, name, value) => defineProperty(object, name, { value, writable: true, enumerable: false, configurable: true })
  for (const [wrapper, original] of [[Memory, OMemory], [Module, OModule], [Instance, OInstance]]) {
    defineProperty(wrapper, 'prototype', { value: original.prototype, writable: false })
    replace(original.prototype, 'constructor', wrapper)
    replace(WA, original.name, wrapper)
  }
  for (const name of ['exports', 'imports', 'customSections']) if (typeof OModule[name] === 'function') replace(Module, name, OModule[name])
  replace(WA, 'compile', compile)
  replace(WA, 'instantiate', instantiate)
  for (const name of ['compileStreaming', 'instantiateStreaming']) if (name in WA) replace(WA, name, unavailable(name))
})(globalThis, ${budgetBytes})`
}

/** What the task runner reads from the `__tesseraWasmBudget` controller around each task. */
export interface WasmBudgetReport {
  /** The first refusal's message, if the task was refused a memory. */
  readonly refused?: string
  /** Declared maxima of every memory charged so far (this task's and earlier ones') that is still reachable. */
  readonly liveBytes: number
}
