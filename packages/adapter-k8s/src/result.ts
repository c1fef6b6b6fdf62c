import { formatDiagnosis, type PodDiagnosis, type RunJobResult } from "@paperclip-k8s/k8s-runtime";
import { type AdapterExecutionResult, toAdapterResult } from "@paperclip-k8s/run-core";
import { type ErrorCode, ErrorCodes } from "./errors.js";
import type { Launched } from "./launch.js";
import type { Observation } from "./observe.js";
import type { RunPlan } from "./prepare.js";

interface K8sFailure {
  code: ErrorCode;
  message: string;
  timedOut?: boolean;
}

const START_CODES: Partial<Record<PodDiagnosis["code"], ErrorCode>> = {
  image_pull: ErrorCodes.imagePullFailed,
  invalid_image: ErrorCodes.imagePullFailed,
  mount_failed: ErrorCodes.mountFailed,
  container_config: ErrorCodes.containerConfigError,
  crash_loop: ErrorCodes.initFailed,
  init_failed: ErrorCodes.initFailed,
  unschedulable: ErrorCodes.unschedulable,
  create_forbidden: ErrorCodes.createForbidden,
};

function mostRelevant(diagnosis: readonly PodDiagnosis[]): PodDiagnosis | undefined {
  return diagnosis.find((d) => START_CODES[d.code]) ?? diagnosis[0];
}

/** The Kubernetes-level reason a run failed, when there is one more specific than the CLI's own exit. */
export function kubernetesFailure(run: RunJobResult, timeoutSec: number): K8sFailure | undefined {
  const { outcome, termination, diagnosis } = run;
  if (outcome.kind === "start-failed") {
    const d = mostRelevant(outcome.diagnosis.length ? outcome.diagnosis : diagnosis);
    const code =
      d?.code === "create_forbidden"
        ? ErrorCodes.createForbidden
        : outcome.stage === "scheduling"
          ? ErrorCodes.unschedulable
          : ((d && START_CODES[d.code]) ?? ErrorCodes.podStartTimeout);
    const waited = outcome.timedOut ? ` (gave up waiting for ${outcome.stage})` : "";
    return {
      code,
      message: `pod never started${waited}: ${d ? formatDiagnosis(d) : "no diagnosis available"}`,
    };
  }
  if (termination?.reason === "OOMKilled" || diagnosis.some((d) => d.code === "oom_killed")) {
    return { code: ErrorCodes.oomKilled, message: "claude was OOMKilled: raise resources.limits.memory" };
  }
  const disrupted = diagnosis.find(
    (d) => d.code === "evicted" || d.code === "preempted" || d.code === "disrupted",
  );
  if (disrupted && termination?.exitCode !== 0) {
    return { code: ErrorCodes.evicted, message: `pod was ${disrupted.code}: ${formatDiagnosis(disrupted)}` };
  }
  if (outcome.kind === "failed" && outcome.reason === "DeadlineExceeded") {
    return {
      code: ErrorCodes.timeout,
      message: `Timed out after ${timeoutSec}s (Job activeDeadlineSeconds)`,
      timedOut: true,
    };
  }
  if (outcome.kind === "deleted" && termination === undefined) {
    return {
      code: ErrorCodes.jobDeleted,
      message: `the Job was deleted before claude finished: ${outcome.message}`,
    };
  }
  if (outcome.kind === "failed" && termination === undefined) {
    const d = mostRelevant(outcome.diagnosis);
    return {
      code: ErrorCodes.podFailed,
      message: `Job failed (${outcome.reason}) before claude ran${d ? `: ${formatDiagnosis(d)}` : ""}`,
    };
  }
  return undefined;
}

/** Paperclip's result for an observed run: claude-parse's reading of the CLI, refined by what Kubernetes knows. */
export function buildResult(
  observation: Observation,
  plan: RunPlan,
  launched: Launched,
  timeoutSec: number,
): AdapterExecutionResult {
  const { run } = observation;
  const failure = observation.cancelled
    ? { code: ErrorCodes.cancelled, message: "Run cancelled; its Job and Secrets were deleted" }
    : kubernetesFailure(run, timeoutSec);
  const exitCode = run.termination?.exitCode ?? null;
  const base = toAdapterResult({
    summary: observation.summary,
    exitCode: failure && !run.termination ? null : exitCode,
    signal: observation.cancelled ? "SIGTERM" : null,
    stderr: observation.stderr,
    timedOut: failure?.timedOut === true,
    timeoutSec,
    billingType: plan.billingType,
    sessionParams: plan.sessionParams,
  });
  const result: AdapterExecutionResult = {
    ...base,
    resultJson: {
      ...(base.resultJson ?? {}),
      kubernetes: {
        namespace: plan.namespace,
        job: launched.job.metadata?.name,
        jobUid: launched.job.metadata?.uid,
        secrets: launched.secretNames,
        pod: run.podName ?? null,
        adopted: launched.adopted,
        outcome: run.outcome.kind,
      },
    },
  };
  if (failure) {
    result.errorCode = failure.code;
    result.errorMessage = failure.message;
    result.errorFamily = null;
    result.retryNotBefore = null;
    result.errorMeta = { ...(base.errorMeta ?? {}), diagnosis: run.diagnosis.map(formatDiagnosis) };
    if (observation.cancelled) result.exitCode = null;
  }
  return result;
}
