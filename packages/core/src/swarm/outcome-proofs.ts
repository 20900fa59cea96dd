import { fromBase64Url, toBase64Url } from '../identity/base64url.ts'
import type { Identity } from '../identity/identity.ts'
import { KnownTrees } from '../identity/known-trees.ts'
import { buildTree, HASH_BYTES, MAX_PATH_HASHES, textLeafHash } from '../identity/merkle.ts'
import { multiproofFromPaths, rootFromMultiproof } from '../identity/merkle-multiproof.ts'
import { ProvenLeaves, type StatementFields } from '../identity/proven-leaves.ts'
import { verifyPeerSignature } from '../identity/signatures.ts'
import type { TaskKey } from '../ids.ts'
import type { Outcome, OutcomeProof } from './schema.ts'

export type { OutcomeProof, SignedOutcome } from './schema.ts'

/**
 * A peer's signed word that a call came to an outcome: "task key K gives O".
 * A donor signs every flush of reports as one Merkle batch (`signOutcomes`),
 * and each report carries its leaf's place, audit path and the batch
 * signature, so a reader checks it alone (`verifyOutcome`) at the cost of a
 * few hashes; the signature itself is checked once per batch.
 *
 * The statement names the task key and the outcome only, never the job, so
 * the same proof stands in a job's report and, copied, in the cache entry
 * that outlives the job. Replaying it anywhere repeats the same claim by the
 * same signer; changing the outcome, the key or the signer breaks it. A thrown
 * error is signed by name and message (what quorum compares), not its stack.
 */
/** Leaves one signature may cover; write-back flushes are far smaller. */
export const MAX_SIGNED_BATCH = 1 << 16
export const MAX_PATH_LENGTH = Math.ceil((MAX_PATH_HASHES * HASH_BYTES * 4) / 3)

const STATEMENT_TAG = 'tessera/outcome@1'
const ROOT_TAG = new TextEncoder().encode('tessera/outcomes@1 ')


/**
 * What a signer says, as text: the leaf signed is its UTF-8 bytes
 * (`textLeafHash`). Kept as text because a statement is only ever hashed,
 * and hashing the characters directly spares an encoded copy per statement.
 */
export type Statement = string

/**
 * The signed leaf: a JSON array of strings, which has one spelling for given
 * strings and costs a microsecond (canonical CBOR cost twenty, and every
 * reader builds one per report).
 */
export function outcomeStatement(key: TaskKey, outcome: Outcome): Statement {
  const claim = outcome.kind === 'value' ? [STATEMENT_TAG, key, 'value', outcome.result] : [STATEMENT_TAG, key, 'thrown', outcome.error.name, outcome.error.message]
  return JSON.stringify(claim)
}

function rootMessage(root: Uint8Array, size: number): Uint8Array {
  const message = new Uint8Array(ROOT_TAG.byteLength + 4 + HASH_BYTES)
  message.set(ROOT_TAG)
  new DataView(message.buffer).setUint32(ROOT_TAG.byteLength, size)
  message.set(root, ROOT_TAG.byteLength + 4)
  return message
}

/**
 * One signature over a batch of statements of any kind (outcomes, and the
 * submitter's verdicts beside them): a statement's bytes say what it claims,
 * so an outcome leaf's proof stands alone whatever else the batch holds.
 */
export function signStatements(identity: Identity, statements: readonly Statement[]): OutcomeProof[] {
  if (statements.length === 0) return []
  if (statements.length > MAX_SIGNED_BATCH) throw new RangeError(`at most ${MAX_SIGNED_BATCH} statements per signature, not ${statements.length}`)
  const { root, paths } = buildTree(statements.map(textLeafHash))
  const sig = identity.sign(rootMessage(root, statements.length))
  return paths.map((path, leaf) => ({ leaf, size: statements.length, path: pathText(path), sig }))
}

/**
 * Proofs for every leaf of a batch of `statements` that `peer` signed whole
 * (`sig`), as `signStatements` made them; undefined when `sig` is not `peer`'s
 * signature over exactly these. For records that carry a whole batch and
 * hand out its leaves (`claim-packs.ts`). Never throws.
 */
export function proveWholeBatch(peer: string, statements: readonly Statement[], sig: string): OutcomeProof[] | undefined {
  const size = statements.length
  if (size === 0 || size > MAX_SIGNED_BATCH) return undefined
  const { root, paths } = buildTree(statements.map(textLeafHash))
  if (!verifyPeerSignature(peer, rootMessage(root, size), sig)) return undefined
  return paths.map((path, leaf) => ({ leaf, size, path: pathText(path), sig }))
}

/**
 * Whether `sig` is `peer`'s signature over exactly this batch of statements.
 * Never throws. `outcomes` names the leaves that are outcome statements
 * (`outcomeStatement(key, outcome)` at index `leaf`): once the batch is
 * proven, their single proofs count as proven, so a cache entry that carries
 * one (a submitter's verdict proof) costs a lookup, not a leaf hash and climb.
 */
export function verifyStatements(peer: string, statements: readonly Statement[], sig: string, outcomes: ReadonlyArray<{ readonly leaf: number; readonly key: TaskKey; readonly outcome: Outcome }> = []): boolean {
  const size = statements.length
  if (size === 0 || size > MAX_SIGNED_BATCH) return false
  const tree = `${peer} ${sig} ${size}`
  if (!knownTrees.checkWhole(tree, statements.map(textLeafHash), (root) => verifyPeerSignature(peer, rootMessage(root, size), sig))) return false
  for (const { leaf, key, outcome } of outcomes) {
    const path = knownTrees.pathOf(tree, leaf, size)
    if (path !== undefined) provenOutcomes.add(peer, { leaf, size, path: pathText(path), sig }, outcomeFields(key, outcome))
  }
  return true
}

/**
 * Good proofs by everything they name (`proven-leaves.ts`). A peer meets each
 * report once per copy (a job's report, then the cache entry made from it),
 * and a simulation runs fifty peers in one process. Forgeries are not
 * remembered: each record object is checked once by its reader's own memo
 * (`records.ts`), and a forged batch root's signature check is remembered.
 */
const provenOutcomes = new ProvenLeaves(1 << 15)

/** The values `outcomeStatement` encodes, in its order. */
function outcomeFields(key: TaskKey, outcome: Outcome): StatementFields {
  return outcome.kind === 'value' ? ['value', key, outcome.result] : ['thrown', key, outcome.error.name, outcome.error.message]
}

export interface SignOutcomesOptions {
  /**
   * Record each proof made here as verified, so this process never checks it
   * again. For a writer that reads its own records back: a donor's job index
   * checks every report it observes, its own included, and then the cache
   * entry made from them; checking what it has just signed would cost it a
   * Merkle path of hashes per task (in the dispatch bench, half of a tab's
   * verification time). Only these exact statements are remembered: a copy
   * with another outcome, key, signer or proof is still checked in full.
   */
  readonly remember?: boolean
}

/** One signature over all `items`; proofs in the same order. */
/** A report this peer just signed, remembered as checked (`signOutcomes`' `remember`, for batches signed with other statements). */
export function rememberOwnOutcome(peer: string, key: TaskKey | undefined, report: { readonly outcome: Outcome; readonly proof: OutcomeProof }): void {
  if (key !== undefined) provenOutcomes.add(peer, report.proof, outcomeFields(key, report.outcome))
}

export function signOutcomes(identity: Identity, items: ReadonlyArray<{ readonly key: TaskKey; readonly outcome: Outcome }>, options: SignOutcomesOptions = {}): OutcomeProof[] {
  const proofs = signStatements(identity, items.map(({ key, outcome }) => outcomeStatement(key, outcome)))
  if (options.remember === true) items.forEach(({ key, outcome }, i) => provenOutcomes.add(identity.peer, proofs[i]!, outcomeFields(key, outcome)))
  return proofs
}

/** Whether `proof` is `peer`'s signed word that `key` gives `outcome`. Never throws. */
export function verifyOutcome(peer: string, key: TaskKey, outcome: Outcome, proof: OutcomeProof): boolean {
  const fields = outcomeFields(key, outcome)
  if (provenOutcomes.has(peer, proof, fields)) return true
  const verdict = verifyStatement(peer, outcomeStatement(key, outcome), proof)
  if (verdict) provenOutcomes.add(peer, proof, fields)
  return verdict
}

/**
 * Whether `proof` places `statement` in a batch `peer` signed: its audit path
 * leads to a root that `peer` signed. Statements of any kind (claims and
 * timeouts too, `signed-claims.ts`); the signature check is remembered per
 * batch (`verifyPeerSignature`), so a batch costs one. Never throws.
 */
export function verifyStatement(peer: string, statement: Statement, proof: OutcomeProof): boolean {
  if (proof.size < 1 || proof.size > MAX_SIGNED_BATCH || proof.path.length > MAX_PATH_LENGTH) return false
  const hashes = (proof.path.length * 3) >> 2
  if (hashes % HASH_BYTES !== 0) return false
  // Into scratch space: the climb copies what it keeps (`KnownTrees.remember`), and nothing here is re-entered.
  const pathBytes = fromBase64Url(proof.path, hashes, pathScratch)
  if (pathBytes === undefined) return false
  const path: Uint8Array[] = []
  for (let at = 0; at < pathBytes.byteLength; at += HASH_BYTES) path.push(pathBytes.subarray(at, at + HASH_BYTES))
  const tree = `${peer} ${proof.sig} ${proof.size}`
  const climb = knownTrees.climb(tree, textLeafHash(statement), proof.leaf, proof.size, path)
  if (climb === undefined) return false
  // A recorded root was proven signed by this peer with this signature when it was recorded.
  if (!climb.rootKnown && !verifyPeerSignature(peer, rootMessage(climb.root, proof.size), proof.sig)) return false
  knownTrees.remember(tree, proof.size, climb)
  return true
}

/**
 * One multiproof for several leaves of one signed batch (`merkle-multiproof.ts`):
 * the nodes, concatenated in base64url as audit paths are, that with the
 * leaves' statements lead to the root `sig` signs. `proofs` share one signer,
 * signature and size, and their paths are ones this process checked.
 * Undefined when they do not (or a path does not decode).
 */
export function packedNodes(proofs: readonly OutcomeProof[]): string | undefined {
  const first = proofs[0]
  if (first === undefined || proofs.some((p) => p.sig !== first.sig || p.size !== first.size)) return undefined
  // Every leaf of the batch (a reporter's flush accepted whole): nothing else is needed.
  if (proofs.length === first.size && new Set(proofs.map((p) => p.leaf)).size === first.size) return ''
  // The walk reads one path per subtree it skips, usually a few of all: decode those alone.
  let malformed = false
  const leaves = [...proofs]
    .sort((a, b) => a.leaf - b.leaf)
    .map((proof) => {
      let path: Uint8Array[] | undefined
      return {
        index: proof.leaf,
        get path(): Uint8Array[] {
          path ??= splitHashes(proof.path)
          if (path === undefined) malformed = true
          return path ?? []
        },
      }
    })
  const nodes = multiproofFromPaths(first.size, leaves)
  return nodes === undefined || malformed ? undefined : hashesText(nodes)
}

/**
 * The outcome leaves of `peer`'s batch (`sig` over `size` leaves) that a
 * multiproof (`packedNodes`) proves, each with its own proof rebuilt and
 * remembered as proven, so the cache entries they go into cost a lookup to
 * check. Undefined when the leaves and nodes do not lead to a root `peer`
 * signed. Never throws.
 */
export function verifyPackedOutcomes(
  peer: string,
  sig: string,
  size: number,
  leaves: ReadonlyArray<{ readonly leaf: number; readonly key: TaskKey; readonly outcome: Outcome }>,
  nodesText: string,
  /** Each leaf's hash, when the caller has it (several signers sign one entry's statement): `outcomeLeafHash`. */
  hashOf: (i: number) => Uint8Array = (i) => outcomeLeafHash(leaves[i]!.key, leaves[i]!.outcome),
): OutcomeProof[] | undefined {
  if (size < 1 || size > MAX_SIGNED_BATCH || leaves.length === 0) return undefined
  const nodes = splitHashes(nodesText)
  if (nodes === undefined) return undefined
  const order = leaves.map((_, i) => i).sort((a, b) => leaves[a]!.leaf - leaves[b]!.leaf)
  const proven = rootFromMultiproof(size, order.map((i) => ({ index: leaves[i]!.leaf, hash: hashOf(i) })), nodes)
  if (proven === undefined || !verifyPeerSignature(peer, rootMessage(proven.root, size), sig)) return undefined
  const proofs: OutcomeProof[] = new Array(leaves.length)
  order.forEach((i, at) => {
    const { leaf, key, outcome } = leaves[i]!
    const proof = { leaf, size, path: pathText(proven.paths[at]!), sig }
    provenOutcomes.add(peer, proof, outcomeFields(key, outcome))
    proofs[i] = proof
  })
  return proofs
}

/** The leaf hash of "`key` gives `outcome`", as every signer of it signs it. */
export function outcomeLeafHash(key: TaskKey, outcome: Outcome): Uint8Array {
  return textLeafHash(outcomeStatement(key, outcome))
}

/** Hashes concatenated in base64url (a path, or a multiproof's nodes), each its own copy. */
function splitHashes(text: string): Uint8Array[] | undefined {
  const bytes = (text.length * 3) >> 2
  if (bytes % HASH_BYTES !== 0) return undefined
  const all = fromBase64Url(text, bytes)
  if (all === undefined) return undefined
  const hashes: Uint8Array[] = []
  for (let at = 0; at < bytes; at += HASH_BYTES) hashes.push(all.subarray(at, at + HASH_BYTES))
  return hashes
}

function hashesText(hashes: readonly Uint8Array[]): string {
  const joined = new Uint8Array(hashes.length * HASH_BYTES)
  hashes.forEach((hash, i) => joined.set(hash, i * HASH_BYTES))
  return toBase64Url(joined)
}

/**
 * The batches this process has proven, node by node: the next report of a
 * batch hashes about one node instead of its whole path (`known-trees.ts`).
 * A batch's reports arrive close together, so a window of a hundred or so
 * batches of ~150 (2 nodes a report, ~150 bytes a node: 5 MB at most) serves.
 */
const knownTrees = new KnownTrees(1 << 15)
const pathScratch = new Uint8Array(MAX_PATH_HASHES * HASH_BYTES)

/** An audit path as records spell it, joined in scratch space (a fresh array over 64 bytes is an off-heap allocation per leaf). */
function pathText(parts: readonly Uint8Array[]): string {
  parts.forEach((part, i) => pathOut.set(part, i * HASH_BYTES))
  return toBase64Url(pathOut.subarray(0, parts.length * HASH_BYTES))
}
const pathOut = new Uint8Array(MAX_PATH_HASHES * HASH_BYTES)
