/**
 * @packageDocumentation
 * `@tessera/core`: the model every Tessera environment shares. No Node and no DOM
 * imports: canonical encoding, content addresses, pure functions, the result
 * cache, the replicated swarm schema, the scheduling logic, and the interfaces
 * that adapters (transports, blob stores, executors) implement.
 */
export type { Address, TaskKey, PeerId, JobId } from './ids.ts'
export { asPeerId, asJobId } from './ids.ts'
export { copyBytes } from './bytes.ts'
export {
  TesseraError,
  EncodingError,
  DecodingError,
  AddressError,
  IntegrityError,
  MalformedRecordError,
  SizeLimitError,
  BlobNotFoundError,
  NotSelfContainedError,
  TaskTimeoutError,
  TaskMemoryError,
  LeaseExpiredError,
  QuorumError,
  TransportClosedError,
  ExecutorClosedError,
  ProtocolError,
  RateLimitError,
  AccessDeniedError,
  SignalingUnreachableError,
  NoWorkersError,
  DependencyFailedError,
  UnknownTaskRefError,
  JobOwnerError,
  CancelledError,
  WorkerCrashedError,
  SandboxError,
  ParallelError,
  TaskError,
  toErrorRecord,
  fromErrorRecord,
  registerErrors,
  type ErrorRecord,
  type OutsideRead,
  type RebuildableError,
} from './errors.ts'

export { encodeCanonical, decodeCanonical } from './encoding/canonical.ts'
export { assertEncodable, isPlainObject, TYPED_ARRAY_NAMES, type Value, type TypedArray } from './encoding/supported-value.ts'
export {
  addressOf,
  addressOfBytes,
  addressOfBytesAsync,
  addressOfDigest,
  encodeAndAddress,
  parseAddress,
  isAddress,
  verifyBytes,
  verifyBytesAsync,
  CBOR_CODEC,
  RAW_CODEC,
  ADDRESS_SPELLING,
} from './address.ts'
export { taskKeyOf } from './task-key.ts'

export {
  definePure,
  definePureSource,
  assertKeywordCall,
  functionAddress,
  functionRecord,
  parseFunctionRecord,
  type PureFunction,
  type PureFunctionSource,
  type KeywordArgs,
  type DefinePureOptions,
} from './pure/define-pure.ts'
export { compilePure, explainRuntimeError, type CompiledFunction } from './pure/compile.ts'
export { BUNDLER_HELPERS } from './pure/allowed-globals.ts'
export { CompiledFunctions, invokePure, timeoutRecord, type Invocation } from './pure/invoke.ts'
export { ALLOWED_GLOBALS } from './pure/allowed-globals.ts'
export { freeReferences, type FreeReference } from './pure/free-references.ts'
export { boundTaskLogs, LogCapture, TASK_LOG_LIMITS, type LogLine, type LogStream, type TaskLogs } from './pure/task-logs.ts'


export type { Transport, PeerChange, Unsubscribe } from './interfaces/transport.ts'
export type { BlobStore, GetOptions, PutOptions } from './interfaces/blob-store.ts'
export type { Executor, Execution, RunOptions } from './interfaces/executor.ts'
export { MemoryNetwork, type MemoryTransport } from './adapters/memory-network.ts'
export { HubTransport, type TransportHub } from './adapters/hub-transport.ts'
export { TransportListeners } from './adapters/transport-listeners.ts'
export { MemoryBlobStore, DEFAULT_MAX_BLOB_BYTES, type MemoryBlobStoreOptions } from './adapters/memory-blob-store.ts'
export { MemoryExecutor } from './adapters/memory-executor.ts'

export * from './swarm/schema.ts'
export { SwarmDoc } from './swarm/swarm-doc.ts'
export { JobDoc } from './swarm/job-doc.ts'
export { JobIndex } from './swarm/job-index.ts'
export {
  checkJobEntry,
  checkCacheEntry,
  isTaskId,
  isValidJobSpec,
  capErrorRecord,
  MAX_ID_LENGTH,
  MAX_TASK_COUNT,
  MAX_ERROR_MESSAGE_LENGTH,
} from './swarm/records.ts'
export { ValueStore } from './swarm/value-store.ts'
export { signOutcomes, signStatements, verifyOutcome, verifyStatement, outcomeStatement, MAX_SIGNED_BATCH, type OutcomeProof, type Statement, type SignedOutcome, type SignOutcomesOptions } from './swarm/outcome-proofs.ts'
export { meetsPolicy, type CachePolicy } from './swarm/cache-policy.ts'
export { keysAsSubjects, type SubjectOf } from './swarm/cache-strength.ts'
export { signJobEntry, isSignedBySubmitter } from './swarm/job-signature.ts'
export { signAdminCancellation, isAdminCancellation, adminCertificateFor, adminCancellationStatement, type AdminTrust } from './swarm/admin-cancellation.ts'
export { inlineArgsOf, loadTaskArgs } from './swarm/task-args.ts'
export { valueRef, isValueRef, resolveValueRefs, hasValueRefs, type ValueRef } from './swarm/value-ref.ts'
export { taskLink, isTaskLink, taskLinksIn, type TaskLink, type TaskResolver } from './swarm/task-link.ts'
export { MAX_TASK_AFFINITY, MAX_TASK_DEPS, MAX_TASK_PRIORITY } from './swarm/schema.ts'
export {
  publishJob,
  markJobDone,
  cancelJob,
  cancelJobAsAdmin,
  dropJob,
  recordValue,
  recordResultValue,
  publishCompaction,
  type Compaction,
  addHolder,
  removeHolder,
  mergeCached,
  cacheOutcome,
  cacheOutcomes,
  forgetFailure,
  addTasks,
  addTaskPacks,
  claimTask,
  renewClaim,
  startBackup,
  putReport,
  putReportPack,
  putClaimPack,
  recordFailure,
  putVerdict,
} from './swarm/writes.ts'
export { signVerdicts, checkVerdict, MAX_VERDICT_LEAVES, type VerdictCheck } from './swarm/verdicts.ts'
export { signClaims, checkClaim, checkFailure, claimStatement, timeoutStatement, timeoutFailure, lapsedLease, lapsedLeaseError, termsOf } from './swarm/signed-claims.ts'
export {
  submitJob,
  loadFunction,
  JOB_DEFAULTS,
  ADAPTIVE_QUORUM,
  MAX_TRANSACTION_BYTES,
  type JobOptions,
  type SubmitJobInput,
} from './swarm/submit-job.ts'

export type { JobView } from './scheduler/job-view.ts'
export { acceptedOutcome, outcomeId } from './scheduler/outcome.ts'
export { taskPhase, isSettled, canRun, VERDICT_WAIT_MS, type TaskPhase, type PhaseOptions } from './scheduler/task-phase.ts'
export { deadlockedDispute, disputeError, type Dispute } from './scheduler/disputes.ts'
export {
  selectClaims,
  holdsClaim,
  leasesToRenew,
  type ClaimDecision,
  type ClaimSelection,
  type SelectClaimsOptions,
} from './scheduler/claims.ts'
export { selectStragglers, median, type StragglerOptions } from './scheduler/stragglers.ts'
export { tallyFailures, LAPSE_SKEW_MS, type FailureTally } from './scheduler/failure-tally.ts'
export { nextBatchSize, claimLowWater, type BatchSizeInput } from './scheduler/batch-size.ts'
export { criticalPaths, claimOrder, jobsByPriority, priorityOf, readyPriority, type GraphNode } from './scheduler/priority.ts'

export { DocReplicator, type DocReplicatorOptions } from './replication/doc-replicator.ts'
export { REPLICATION_LIMITS, type ReplicationLimits } from './replication/limits.ts'
export { encodeMessage, encodeMessageParts, decodeMessage, type ReplicationMessage } from './replication/protocol.ts'
export { handOver } from './replication/hand-over.ts'
export { Donor } from './donor/donor.ts'
export { DONOR_DEFAULTS, type DonorOptions } from './donor/donor-options.ts'
export { OwnReports, MAX_REPORT_WRITE_BACKS } from './donor/own-reports.ts'
export { OwnClaims } from './donor/own-claims.ts'
export { systemClock, type Clock } from './clock.ts'
export type { PeerPort, PresencePort, PresenceInfo, PresenceRecord } from './peer/peer-port.ts'
export { JobTracker, DROP_FINISHED_AFTER_MS, type JobTrackerOptions } from './peer/job-tracker.ts'
export { DEFAULT_ADMISSION, ESTIMATED_BYTES_PER_TASK, admittedJobs, AdmissionBook, type AdmissionQuota, type AdmissionPolicy } from './peer/admission.ts'
export { Roster, MAX_ORIGIN_LENGTH, type RosterPort, type RosterEntry, type RosterOptions } from './peer/roster.ts'
export { startDonor, type StartDonorOptions } from './peer/start-donor.ts'
export { SubmitterTrust, DEFAULT_TRUST_THRESHOLD, LIES_BEFORE_BAN, type SubmitterTrustOptions } from './peer/submitter-trust.ts'
export { Referee, type RefereeOptions } from './peer/referee.ts'
export { clustersOf, type Cluster, type Compare, type ValueOf } from './peer/outcome-clusters.ts'

export * from './identity/index.ts'
export { CacheTree, type NodeStore, type MergeEntry, type CacheTreeOptions } from './cache-tree/tree.ts'
export { encodeNode, decodeNode, TreeNodeError, type TreeEntry, type TreeNode, type ChildRef } from './cache-tree/node.ts'
export { CompactedCache, nodeStoreOf } from './cache-tree/compacted-cache.ts'
export { compactCache, hasSealedShards, isCompactionDue, liveEntries, mergeEntryBy, DEFAULT_COMPACTION_THRESHOLD, type CompactionOptions } from './cache-tree/compactor.ts'
export { CacheCompactor, DEFAULT_SEAL_AFTER_MS, type CacheCompactorOptions, type CompactionSchedule } from './cache-tree/cache-compactor.ts'
export { shardKey, epochOfShard, type ShardedView } from './swarm/cache-shards.ts'
export { makePack, packEntries, packOpened, PACK_PREFIX, MAX_PACK_ENTRIES, type CachePack, type PackSigner } from './swarm/cache-packs.ts'
export { makeReportPack, reportPackReports, REPORT_PACK_PREFIX, MAX_REPORT_PACK, type ReportPack } from './swarm/report-packs.ts'
export { makeClaimPack, claimPackClaims, claimPackTasks, isClaimPackKey, CLAIM_PACK_PREFIX, MAX_CLAIM_PACK, type ClaimPack } from './swarm/claim-packs.ts'
export { packTasks, taskPackRecords, isTaskPackKey, taskPackKey, tasksInEntry, TASK_PACK_SIZE, TASK_PACK_PREFIX, type TaskPack } from './swarm/task-packs.ts'
export { strongerEntry } from './swarm/cache-merge.ts'
