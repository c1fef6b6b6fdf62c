import type { PodDiagnosis, RunJobResult } from "@paperclip-k8s/k8s-runtime";
import { describe, expect, it } from "vitest";
import { kubernetesFailure } from "./result.js";

const d = (code: PodDiagnosis["code"], reason: string, message = ""): PodDiagnosis => ({
  code,
  fatal: true,
  reason,
  message,
});
const run = (over: Partial<RunJobResult>): RunJobResult => ({
  outcome: { kind: "complete", source: "job", exitCode: 0 },
  podName: "p",
  termination: undefined,
  diagnosis: [],
  logs: undefined,
  ...over,
});

describe("kubernetesFailure", () => {
  it("names start failures by their cause", () => {
    expect(
      kubernetesFailure(
        run({
          outcome: {
            kind: "start-failed",
            stage: "container-start",
            timedOut: false,
            diagnosis: [d("image_pull", "ImagePullBackOff", "nope")],
          },
        }),
        0,
      )?.code,
    ).toBe("k8s_image_pull_failed");
    expect(
      kubernetesFailure(
        run({
          outcome: {
            kind: "start-failed",
            stage: "scheduling",
            timedOut: true,
            diagnosis: [d("unschedulable", "Unschedulable", "0/1 nodes")],
          },
        }),
        0,
      ),
    ).toMatchObject({ code: "k8s_pod_unschedulable", message: expect.stringContaining("0/1 nodes") });
    expect(
      kubernetesFailure(
        run({
          outcome: {
            kind: "start-failed",
            stage: "container-start",
            timedOut: true,
            diagnosis: [d("mount_failed", "FailedMount")],
          },
        }),
        0,
      )?.code,
    ).toBe("k8s_mount_failed");
  });

  it("recognises OOMKilled, eviction, deadline and external deletion", () => {
    const oom = {
      container: "claude",
      exitCode: 137,
      reason: "OOMKilled",
      message: undefined,
      signal: undefined,
      finishedAt: undefined,
    };
    expect(
      kubernetesFailure(
        run({
          termination: oom,
          outcome: {
            kind: "failed",
            reason: "BackoffLimitExceeded",
            message: "",
            source: "job",
            diagnosis: [],
          },
        }),
        0,
      )?.code,
    ).toBe("k8s_oom_killed");
    expect(
      kubernetesFailure(
        run({
          diagnosis: [d("evicted", "Evicted")],
          outcome: {
            kind: "failed",
            reason: "BackoffLimitExceeded",
            message: "",
            source: "job",
            diagnosis: [],
          },
        }),
        0,
      )?.code,
    ).toBe("k8s_pod_evicted");
    expect(
      kubernetesFailure(
        run({
          outcome: { kind: "failed", reason: "DeadlineExceeded", message: "", source: "job", diagnosis: [] },
        }),
        60,
      ),
    ).toMatchObject({ code: "timeout", timedOut: true });
    expect(kubernetesFailure(run({ outcome: { kind: "deleted", message: "gone" } }), 0)?.code).toBe(
      "k8s_job_deleted",
    );
  });

  it("leaves a CLI exit to claude-parse", () => {
    const exit1 = {
      container: "claude",
      exitCode: 1,
      reason: "Error",
      message: undefined,
      signal: undefined,
      finishedAt: undefined,
    };
    expect(
      kubernetesFailure(
        run({
          termination: exit1,
          outcome: {
            kind: "failed",
            reason: "BackoffLimitExceeded",
            message: "",
            source: "job",
            diagnosis: [],
          },
        }),
        0,
      ),
    ).toBeUndefined();
    const exit0 = { ...exit1, exitCode: 0, reason: "Completed" };
    expect(
      kubernetesFailure(run({ termination: exit0, outcome: { kind: "deleted", message: "after exit" } }), 0),
    ).toBeUndefined();
  });
});
