import type { PodDiagnosis } from "./diagnosis.js";

export interface PodRef {
  readonly name: string;
  readonly uid: string;
}

/** How a Job's life ended. `deleted` is a soft end: someone else removed the Job; what was captured stays valid. */
export type JobOutcome =
  | {
      readonly kind: "complete";
      /** "job": the Job's Complete condition; "pod": inferred from the only pod of a single-shot Job. */
      readonly source: "job" | "pod";
      readonly exitCode?: number;
    }
  | {
      readonly kind: "failed";
      /** DeadlineExceeded | BackoffLimitExceeded | PodFailurePolicy | ... (the Job condition's reason). */
      readonly reason: string;
      readonly message: string;
      readonly source: "job" | "pod";
      readonly exitCode?: number;
      /** What went wrong with the pod(s), most specific first. */
      readonly diagnosis: readonly PodDiagnosis[];
    }
  | { readonly kind: "deleted"; readonly message: string };

export type StartStage = "scheduling" | "container-start";

/** Typed events describing one Job's life, produced from watches. */
export type JobEvent =
  | { readonly type: "pod-created"; readonly pod: PodRef }
  | { readonly type: "pod-scheduled"; readonly pod: PodRef; readonly nodeName: string }
  | {
      readonly type: "container-started";
      readonly pod: PodRef;
      readonly container: string;
      readonly startedAt?: string;
    }
  | {
      readonly type: "container-terminated";
      readonly pod: PodRef;
      readonly container: string;
      readonly exitCode: number;
      readonly reason?: string;
      readonly message?: string;
      readonly signal?: number;
      readonly finishedAt?: string;
    }
  | { readonly type: "pod-problem"; readonly pod: PodRef; readonly diagnosis: PodDiagnosis }
  | {
      readonly type: "warning";
      readonly involvedObject: { readonly kind: string; readonly name: string };
      readonly reason: string;
      readonly message: string;
      readonly count: number;
      readonly diagnosis: PodDiagnosis;
    }
  | {
      readonly type: "start-timeout";
      readonly stage: StartStage;
      readonly elapsedMs: number;
      readonly pod?: PodRef;
      /** What is known about why it is stuck (scheduler message, pull error, FailedMount, ...). */
      readonly diagnosis: readonly PodDiagnosis[];
    }
  | {
      /**
       * Kubernetes refused to start the pod for good: pod creation forbidden by admission (`FailedCreate` on the
       * Job), or a referenced Secret/ConfigMap still missing after a short grace. No point waiting for a timeout.
       */
      readonly type: "start-refused";
      readonly stage: StartStage;
      readonly pod?: PodRef;
      readonly diagnosis: readonly PodDiagnosis[];
    }
  | {
      readonly type: "job-finishing";
      readonly condition: "SuccessCriteriaMet" | "FailureTarget";
      readonly reason: string;
      readonly message: string;
    }
  | { readonly type: "job-ended"; readonly outcome: JobOutcome };

export type JobEventType = JobEvent["type"];
