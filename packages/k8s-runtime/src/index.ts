export { Backoff, type BackoffOptions } from "./backoff.js";
export {
  type AccessRequirement,
  type DryRunResult,
  describeAccess,
  dryRunCreate,
  dryRunCreateJob,
  findMissingAccess,
  type MissingAccess,
} from "./checks.js";
export { type DeleteJobOptions, deleteJob, jobOwnerReference, ownerReferenceTo } from "./cleanup.js";
export {
  clearClientCache,
  createClients,
  getClients,
  type KubeClients,
  type KubeconfigSource,
} from "./clients.js";
export {
  type ContainerTermination,
  containerTermination,
  diagnoseEvent,
  diagnosePod,
  formatDiagnosis,
  type PodDiagnosis,
  type PodProblemCode,
} from "./diagnosis.js";
export {
  type ApiStatus,
  apiError,
  isConflict,
  isGone,
  isNotFound,
  isTransient,
  type K8sErrorCode,
  K8sRuntimeError,
  normalizeApiError,
} from "./errors.js";
export type { JobEvent, JobEventType, JobOutcome, PodRef, StartStage } from "./job-events.js";
export { JobState, type JobStateOptions } from "./job-state.js";
export { type JobTracker, type TrackJobOptions, trackJob } from "./job-tracker.js";
export {
  LineSplitter,
  LogCursor,
  type LogLine,
  type LogPosition,
  resumeSinceTime,
  splitTimestamp,
  timestampKey,
} from "./log-cursor.js";
export {
  type FollowLogsOptions,
  followLogs,
  type LogEndReason,
  type LogFollower,
  type LogFollowResult,
} from "./log-follower.js";
export { childLogger, type Logger, silentLogger } from "./logger.js";
export {
  isValidDnsLabel,
  isValidLabelValue,
  MAX_NAME_LENGTH,
  selectorToString,
  shortHash,
  toLabelValue,
  toObjectName,
} from "./names.js";
export {
  clearOwnPodCache,
  type OwnPodInfo,
  type OwnPodOptions,
  ownPodInfoFromPod,
  readOwnPod,
} from "./own-pod.js";
export {
  type ListResult,
  ResilientWatch,
  type ResilientWatchOptions,
  type WatchEventType,
} from "./resilient-watch.js";
export { type RunJobOptions, type RunJobResult, type RunOutcome, runJob } from "./run-job.js";
