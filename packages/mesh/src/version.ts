/** Published in presence, so a swarm can tell which peers run what. */
export const TESSERA_VERSION = '0.1.0'
