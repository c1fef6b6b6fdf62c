/**
 * Typed errors carrying the Paperclip error code that execute() reports. Every failure the adapter produces itself
 * (as opposed to failures of the Claude run, which claude-parse classifies) is one of these codes.
 */
export const ErrorCodes = {
  configInvalid: "k8s_config_invalid",
  apiError: "k8s_api_error",
  concurrencyCheckFailed: "k8s_concurrency_check_failed",
  concurrentRunBlocked: "k8s_concurrent_run_blocked",
  jobCreateFailed: "k8s_job_create_failed",
  secretCreateFailed: "k8s_secret_create_failed",
  imagePullFailed: "k8s_image_pull_failed",
  unschedulable: "k8s_pod_unschedulable",
  podStartTimeout: "k8s_pod_start_timeout",
  mountFailed: "k8s_mount_failed",
  containerConfigError: "k8s_container_config_error",
  initFailed: "k8s_init_container_failed",
  oomKilled: "k8s_oom_killed",
  evicted: "k8s_pod_evicted",
  jobDeleted: "k8s_job_deleted",
  podFailed: "k8s_pod_failed",
  timeout: "timeout",
  cancelled: "cancelled",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class ClaudeK8sError extends Error {
  override readonly name = "ClaudeK8sError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ConfigIssue {
  field: string;
  message: string;
}

/** All invalid fields of one config, each named; raised before anything touches the cluster. */
export class ConfigError extends ClaudeK8sError {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      ErrorCodes.configInvalid,
      `Invalid claude_k8s config: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`,
      { fields: issues.map((i) => i.field) },
    );
  }
}
