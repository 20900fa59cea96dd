/** The element with this id, of this type; a page without it is a broken build, so this throws. */
export function byId<T extends HTMLElement | SVGElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id)
  if (!(element instanceof type)) throw new Error(`the donate page has no <${type.name}> #${id}`)
  return element
}

/** Sets text only when it changed, so screen readers and layout are not disturbed for nothing. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text
}
