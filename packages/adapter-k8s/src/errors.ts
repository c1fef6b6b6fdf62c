import { type ConfigIssue, configInvalid, RunError, RunErrorCodes } from "@paperclip-k8s/run-core";

/**
 * The Paperclip error codes claude_k8s produces on its own (failures of the Claude run itself are classified by
 * claude-parse). Every failure travels as run-core's RunError and is mapped to a result in one place.
 */
export const ErrorCodes = {
  configInvalid: RunErrorCodes.configInvalid,
  apiError: "k8s_api_error",
  concurrencyCheckFailed: "k8s_concurrency_check_failed",
  concurrentRunBlocked: "k8s_concurrent_run_blocked",
  jobCreateFailed: "k8s_job_create_failed",
  secretCreateFailed: "k8s_secret_create_failed",
  imagePullFailed: "k8s_image_pull_failed",
  unschedulable: "k8s_pod_unschedulable",
  createForbidden: "k8s_pod_create_forbidden",
  podStartTimeout: "k8s_pod_start_timeout",
  mountFailed: "k8s_mount_failed",
  containerConfigError: "k8s_container_config_error",
  initFailed: "k8s_init_container_failed",
  oomKilled: "k8s_oom_killed",
  evicted: "k8s_pod_evicted",
  jobDeleted: "k8s_job_deleted",
  podFailed: "k8s_pod_failed",
  timeout: RunErrorCodes.timeout,
  cancelled: RunErrorCodes.cancelled,
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** A claude_k8s failure with its code: a RunError, so run-core maps it like every other. */
export class ClaudeK8sError extends RunError {
  constructor(code: ErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super({ code, message, meta });
  }
}

/** All invalid fields of one config, each named; raised before anything touches the cluster. */
export class ConfigError extends RunError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(configInvalid("claude_k8s", issues).failure);
    this.issues = issues;
  }
}
