const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 })
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 })

export const formatCount = (n: number): string => integer.format(n)

/** Rates under 10 keep one decimal. */
export const formatRate = (perSecond: number): string => (perSecond < 10 ? decimal.format(perSecond) : integer.format(perSecond))

export const formatPercent = (fraction: number): string => `${integer.format(fraction * 100)}%`

/** Peer ids are long; their first characters tell them apart. */
export const shortId = (id: string): string => (id.length > 10 ? `${id.slice(0, 8)}…` : id)

/** `1 tab`, `2 tabs`. */
export const plural = (n: number, noun: string): string => `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`
