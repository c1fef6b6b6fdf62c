export type { AccessRequirement, DryRunResult, MissingAccess } from "./checks.js";
export { describeAccess } from "./checks.js";
export type { DeleteFailure } from "./cleanup.js";
export { getClients, type KubeClients, type KubeconfigSource } from "./clients.js";
export { Cluster, type ConnectOptions, type OwnPodState } from "./cluster.js";
export type { EnsureConfigMapsOptions, EnsuredConfigMap } from "./configmaps.js";
export { formatDiagnosis, type PodDiagnosis, type PodProblemCode } from "./diagnosis.js";
export {
  type ApiStatus,
  apiError,
  isNotFound,
  type K8sErrorCode,
  K8sRuntimeError,
  normalizeApiError,
} from "./errors.js";
export type { JobEvent, JobOutcome, PodRef, StartStage } from "./job-events.js";
export {
  type CreateOrAdoptJobOptions,
  isJobFinished,
  type JobLaunchEvent,
  type JobLaunchResult,
  jobSecretNames,
} from "./job-launch.js";
export type { OwnedSecretsDeletion } from "./job-secrets.js";
export {
  type HeldLease,
  type JobLeaseOptions,
  LEASE_DURATION_SEC,
  LEASE_RENEW_EVERY_SEC,
  type LeaseAcquisition,
  type LeaseHolderState,
} from "./lease.js";
export type { LogLine, LogPosition } from "./log-cursor.js";
export type { Logger } from "./logger.js";
export { isValidDnsLabel, isValidLabelValue, shortHash, toLabelValue } from "./names.js";
export { type OwnPod, type OwnPodInfo, type OwnPodOptions, ownPodInfoFromPod } from "./own-pod.js";
export {
  type PreflightFinding,
  type PreflightReads,
  type PreflightSubject,
  preflightPodSpec,
  preflightReads,
} from "./preflight.js";
export type { RunJobOptions, RunJobResult, RunOutcome } from "./run-job.js";
