/**
 * A bundled `tessera` (`bin/cli-bundle.mjs`) carries Tessera's packages inside
 * it and lists their modules under this symbol. A job module's `@tessera/*`
 * imports must reach those very modules, not a second copy from the sources,
 * so that `instanceof CancelledError` holds and nothing needs tsx.
 */
const REGISTRY = Symbol.for('tessera.cli.modules')

type Registry = Readonly<Record<string, Readonly<Record<string, unknown>>>>

/** The bundled CLI's modules by specifier, or undefined when the CLI runs from its sources. */
export function bundledModules(): Registry | undefined {
  return (globalThis as { [REGISTRY]?: Registry })[REGISTRY]
}

/**
 * A `data:` module that re-exports one bundled module's bindings, for a job
 * bundle to import as it would the package.
 */
export function bundledModuleUrl(registry: Registry, specifier: string): string | undefined {
  const module = registry[specifier]
  if (module === undefined) return undefined
  const names = Object.keys(module).filter((name) => name !== 'default')
  const source = [
    `const m = globalThis[Symbol.for(${JSON.stringify(REGISTRY.description)})][${JSON.stringify(specifier)}]`,
    ...(names.length === 0 ? [] : [`export const { ${names.join(', ')} } = m`]),
    ...('default' in module ? ['export default m.default'] : []),
  ].join('\n')
  return `data:text/javascript,${encodeURIComponent(source)}`
}
