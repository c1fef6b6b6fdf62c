import { describe, expect, it } from "vitest";
import { diagnoseEvent, diagnosePod, formatDiagnosis } from "./diagnosis.js";
import {
  pod,
  running,
  scheduled,
  terminated,
  unschedulable,
  waiting,
  warningEvent,
} from "./testing/fixtures.js";

describe("diagnosePod", () => {
  it("reports nothing for a healthy running pod", () => {
    expect(diagnosePod(pod({ phase: "Running", conditions: [scheduled], containers: [running()] }))).toEqual(
      [],
    );
  });

  it("unschedulable with the scheduler's message", () => {
    const message = "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available";
    expect(diagnosePod(pod({ conditions: [unschedulable(message)] }))).toEqual([
      { code: "unschedulable", fatal: false, reason: "Unschedulable", message },
    ]);
  });

  it.each([
    ["ErrImagePull", "image_pull", false],
    ["ImagePullBackOff", "image_pull", true],
    ["ErrImageNeverPull", "image_pull", true],
    ["InvalidImageName", "invalid_image", true],
    ["CrashLoopBackOff", "crash_loop", true],
    ["CreateContainerConfigError", "container_config", false],
  ])("waiting reason %s -> %s (fatal %s)", (reason, code, fatal) => {
    const [d] = diagnosePod(
      pod({ conditions: [scheduled], containers: [waiting(reason, `msg for ${reason}`)] }),
    );
    expect(d).toEqual({ code, fatal, reason, message: `msg for ${reason}`, container: "claude" });
  });

  it("ignores benign waiting reasons", () => {
    expect(diagnosePod(pod({ conditions: [scheduled], containers: [waiting("ContainerCreating")] }))).toEqual(
      [],
    );
  });

  it("init container failure, by exit code or crash loop", () => {
    const failed = diagnosePod(
      pod({
        initContainers: [terminated(3, "Error", "write-prompt")],
        containers: [waiting("PodInitializing")],
      }),
    );
    expect(failed).toEqual([
      {
        code: "init_failed",
        fatal: true,
        reason: "Error",
        message: "",
        container: "write-prompt",
        exitCode: 3,
      },
    ]);
    const looping = diagnosePod(pod({ initContainers: [waiting("CrashLoopBackOff", "back-off", "init")] }));
    expect(looping[0]).toMatchObject({ code: "init_failed", container: "init" });
  });

  it("OOMKilled and plain non-zero exits carry exit code and reason", () => {
    expect(diagnosePod(pod({ phase: "Failed", containers: [terminated(137, "OOMKilled")] }))).toEqual([
      {
        code: "oom_killed",
        fatal: true,
        reason: "OOMKilled",
        message: "",
        container: "claude",
        exitCode: 137,
      },
    ]);
    expect(diagnosePod(pod({ phase: "Failed", containers: [terminated(2)] }))[0]).toMatchObject({
      code: "container_failed",
      reason: "Error",
      exitCode: 2,
    });
    expect(diagnosePod(pod({ phase: "Succeeded", containers: [terminated(0)] }))).toEqual([]);
  });

  it("evicted (status reason) and preempted (DisruptionTarget)", () => {
    const evicted = pod({
      phase: "Failed",
      reason: "Evicted",
      message: "The node was low on resource: memory.",
    });
    expect(diagnosePod(evicted)[0]).toEqual({
      code: "evicted",
      fatal: true,
      reason: "Evicted",
      message: "The node was low on resource: memory.",
    });
    const preempted = pod({
      phase: "Failed",
      conditions: [
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "PreemptionByScheduler",
          message: "preempted by ns/high",
        },
      ],
    });
    expect(diagnosePod(preempted)[0]).toMatchObject({ code: "preempted", reason: "PreemptionByScheduler" });
    const kubeletEvicted = pod({
      phase: "Failed",
      conditions: [
        {
          type: "DisruptionTarget",
          status: "True",
          reason: "TerminationByKubelet",
          message: "ephemeral storage",
        },
      ],
    });
    expect(diagnosePod(kubeletEvicted)[0]).toMatchObject({ code: "evicted" });
  });
});

describe("diagnoseEvent", () => {
  const target = { kind: "Pod", name: "p", uid: "u" };
  it.each([
    ["FailedMount", "mount_failed"],
    ["FailedScheduling", "unschedulable"],
    ["Evicted", "evicted"],
    ["Preempted", "preempted"],
    ["BackOff", "warning_event"],
  ])("%s -> %s", (reason, code) => {
    expect(diagnoseEvent(warningEvent(reason, "m", target)).code).toBe(code);
  });

  it("keeps the message verbatim and formats for humans", () => {
    const d = diagnoseEvent(
      warningEvent(
        "FailedMount",
        'MountVolume.SetUp failed for volume "prompt" : secret "x" not found',
        target,
      ),
    );
    expect(formatDiagnosis(d)).toBe(
      'mount_failed (FailedMount): MountVolume.SetUp failed for volume "prompt" : secret "x" not found',
    );
  });
});
