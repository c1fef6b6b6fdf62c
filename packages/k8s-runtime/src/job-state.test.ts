import { describe, expect, it } from "vitest";
import { JobState } from "./job-state.js";
import {
  JOB_UID,
  job,
  jobCondition,
  pod,
  running,
  scheduled,
  terminated,
  unschedulable,
  waiting,
  warningEvent,
} from "./testing/fixtures.js";

const types = (events: { type: string }[]) => events.map((e) => e.type);

describe("JobState: pod progress", () => {
  it("reports created, scheduled, started, terminated once each, then infers the end of a single-shot Job", () => {
    const state = new JobState({ containerName: "claude" });
    expect(state.onJob("ADDED", job())).toEqual([]);
    expect(types(state.onPod("ADDED", pod()))).toEqual(["pod-created"]);
    expect(types(state.onPod("MODIFIED", pod({ conditions: [scheduled], nodeName: "node-1" })))).toEqual([
      "pod-scheduled",
    ]);
    expect(state.onPod("MODIFIED", pod({ conditions: [scheduled], nodeName: "node-1" }))).toEqual([]);
    const started = state.onPod(
      "MODIFIED",
      pod({ phase: "Running", conditions: [scheduled], nodeName: "node-1", containers: [running()] }),
    );
    expect(started).toEqual([
      {
        type: "container-started",
        pod: { name: "run-1-abcde", uid: "pod-uid-1" },
        container: "claude",
        startedAt: "2026-11-24T03:00:01.000Z",
      },
    ]);
    const ended = state.onPod(
      "MODIFIED",
      pod({ phase: "Succeeded", conditions: [scheduled], nodeName: "node-1", containers: [terminated(0)] }),
    );
    expect(ended).toEqual([
      {
        type: "container-terminated",
        pod: { name: "run-1-abcde", uid: "pod-uid-1" },
        container: "claude",
        exitCode: 0,
        reason: "Completed",
        finishedAt: "2026-11-24T03:00:05.000Z",
      },
      { type: "job-ended", outcome: { kind: "complete", source: "pod", exitCode: 0 } },
    ]);
    expect(state.onJob("MODIFIED", job({ conditions: [jobCondition("Complete")] }))).toEqual([]);
  });

  it("infers the end from the containers' termination before the kubelet writes the terminal phase", () => {
    const state = new JobState({ containerName: "claude" });
    state.onJob("ADDED", job());
    state.onPod(
      "ADDED",
      pod({ phase: "Running", nodeName: "n", conditions: [scheduled], containers: [running()] }),
    );
    const events = state.onPod(
      "MODIFIED",
      pod({ phase: "Running", nodeName: "n", conditions: [scheduled], containers: [terminated(4)] }),
    );
    expect(types(events)).toEqual(["container-terminated", "job-ended"]);
    expect(events.at(-1)).toMatchObject({ outcome: { kind: "failed", source: "pod", exitCode: 4 } });
  });

  it("does not infer from containers when the pod may restart them", () => {
    const state = new JobState();
    state.onJob("ADDED", job());
    const restarting = pod({
      phase: "Running",
      nodeName: "n",
      conditions: [scheduled],
      containers: [terminated(1)],
    });
    restarting.spec!.restartPolicy = "OnFailure";
    expect(types(state.onPod("ADDED", restarting))).not.toContain("job-ended");
  });

  it("a fast container seen already terminated still gets started + terminated", () => {
    const state = new JobState();
    state.onJob("ADDED", job());
    const events = state.onPod(
      "ADDED",
      pod({ phase: "Failed", nodeName: "n", conditions: [scheduled], containers: [terminated(3)] }),
    );
    expect(types(events)).toEqual([
      "pod-created",
      "pod-scheduled",
      "container-started",
      "container-terminated",
      "job-ended",
    ]);
    expect(events.at(-1)).toMatchObject({
      outcome: {
        kind: "failed",
        reason: "BackoffLimitExceeded",
        source: "pod",
        exitCode: 3,
        diagnosis: [{ code: "container_failed", exitCode: 3 }],
      },
    });
  });

  it("does not infer the end when the Job may retry (backoffLimit > 0); waits for the condition", () => {
    const state = new JobState();
    state.onJob("ADDED", job({ backoffLimit: 2 }));
    expect(types(state.onPod("ADDED", pod({ phase: "Failed", containers: [terminated(1)] })))).not.toContain(
      "job-ended",
    );
    const end = state.onJob(
      "MODIFIED",
      job({
        backoffLimit: 2,
        conditions: [
          jobCondition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        ],
      }),
    );
    expect(end).toEqual([
      {
        type: "job-ended",
        outcome: {
          kind: "failed",
          reason: "BackoffLimitExceeded",
          message: "Job has reached the specified backoff limit",
          source: "job",
          exitCode: 1,
          diagnosis: [
            {
              code: "container_failed",
              fatal: true,
              reason: "Error",
              message: "",
              container: "claude",
              exitCode: 1,
            },
          ],
        },
      },
    ]);
  });

  it("ignores pods owned by another Job (same name, different uid)", () => {
    const state = new JobState();
    state.onJob("ADDED", job());
    const stranger = pod({ uid: "other-pod" });
    stranger.metadata!.ownerReferences = [
      { apiVersion: "batch/v1", kind: "Job", name: "run-1", uid: "old-uid" },
    ];
    expect(state.onPod("ADDED", stranger)).toEqual([]);
  });

  it("reports a pod problem once per reason", () => {
    const state = new JobState({ inferEndFromPod: false });
    state.onJob("ADDED", job());
    state.onPod("ADDED", pod());
    const first = state.onPod(
      "MODIFIED",
      pod({ conditions: [scheduled], nodeName: "n", containers: [waiting("ErrImagePull", "not found")] }),
    );
    expect(first).toContainEqual({
      type: "pod-problem",
      pod: { name: "run-1-abcde", uid: "pod-uid-1" },
      diagnosis: {
        code: "image_pull",
        fatal: false,
        reason: "ErrImagePull",
        message: "not found",
        container: "claude",
      },
    });
    expect(
      state.onPod(
        "MODIFIED",
        pod({ conditions: [scheduled], nodeName: "n", containers: [waiting("ErrImagePull", "not found")] }),
      ),
    ).toEqual([]);
    const backoff = state.onPod(
      "MODIFIED",
      pod({ conditions: [scheduled], nodeName: "n", containers: [waiting("ImagePullBackOff", "Back-off")] }),
    );
    expect(backoff).toMatchObject([
      { type: "pod-problem", diagnosis: { reason: "ImagePullBackOff", fatal: true } },
    ]);
  });
});

describe("JobState: Job conditions", () => {
  it("SuccessCriteriaMet / FailureTarget are 'finishing', Complete/Failed end", () => {
    const state = new JobState({ inferEndFromPod: false });
    state.onJob("ADDED", job());
    expect(
      state.onJob(
        "MODIFIED",
        job({
          conditions: [
            jobCondition(
              "FailureTarget",
              "DeadlineExceeded",
              "Job was active longer than specified deadline",
            ),
          ],
        }),
      ),
    ).toEqual([
      {
        type: "job-finishing",
        condition: "FailureTarget",
        reason: "DeadlineExceeded",
        message: "Job was active longer than specified deadline",
      },
    ]);
    const end = state.onJob(
      "MODIFIED",
      job({
        conditions: [
          jobCondition("FailureTarget", "DeadlineExceeded"),
          jobCondition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline"),
        ],
      }),
    );
    expect(end).toMatchObject([
      { type: "job-ended", outcome: { kind: "failed", reason: "DeadlineExceeded", source: "job" } },
    ]);
  });

  it("a failed pod after FailureTarget(DeadlineExceeded) keeps the deadline reason", () => {
    const state = new JobState();
    state.onJob("ADDED", job());
    state.onJob(
      "MODIFIED",
      job({ conditions: [jobCondition("FailureTarget", "DeadlineExceeded", "deadline")] }),
    );
    const end = state.onPod("MODIFIED", pod({ phase: "Failed", containers: [terminated(137)] }));
    expect(end.at(-1)).toMatchObject({
      type: "job-ended",
      outcome: { kind: "failed", reason: "DeadlineExceeded", exitCode: 137 },
    });
  });

  it("PodFailurePolicy reason is passed through", () => {
    const state = new JobState();
    state.onJob("ADDED", job());
    expect(
      state.onJob(
        "MODIFIED",
        job({ conditions: [jobCondition("Failed", "PodFailurePolicy", "Container claude exited with 42")] }),
      ),
    ).toMatchObject([
      {
        type: "job-ended",
        outcome: { kind: "failed", reason: "PodFailurePolicy", message: "Container claude exited with 42" },
      },
    ]);
  });

  it("deleted by someone else: DELETED event, 404, deletionTimestamp or a replaced uid — a soft end, once", () => {
    for (const act of [
      (s: JobState) => s.onJob("DELETED", job()),
      (s: JobState) => s.onJobMissing(),
      (s: JobState) => s.onJob("MODIFIED", job({ deleting: true })),
      (s: JobState) => s.onJob("ADDED", job({ uid: "new-uid" })),
    ]) {
      const state = new JobState();
      state.onJob("ADDED", job());
      expect(act(state)).toMatchObject([{ type: "job-ended", outcome: { kind: "deleted" } }]);
      expect(state.onJobMissing()).toEqual([]);
      expect(state.onPod("MODIFIED", pod({ phase: "Succeeded" }))).toEqual([]);
    }
  });
});

describe("JobState: settling an end seen before the pod's final status", () => {
  it("folds a fresh pod list in: missed termination reported, exit code completed", () => {
    const state = new JobState({ containerName: "claude" });
    state.onJob("ADDED", job());
    state.onPod(
      "ADDED",
      pod({ phase: "Running", nodeName: "n", conditions: [scheduled], containers: [running()] }),
    );
    const end = state.onJob("MODIFIED", job({ conditions: [jobCondition("Complete")] }));
    expect(end).toEqual([{ type: "job-ended", outcome: { kind: "complete", source: "job" } }]);
    expect(state.needsPodSettle()).toBe(true);
    const settled = state.settleWithPods([
      pod({ phase: "Succeeded", nodeName: "n", conditions: [scheduled], containers: [terminated(0)] }),
    ]);
    expect(types(settled)).toEqual(["container-terminated", "job-ended"]);
    expect(settled.at(-1)).toEqual({
      type: "job-ended",
      outcome: { kind: "complete", source: "job", exitCode: 0 },
    });
    expect(state.outcome).toEqual({ kind: "complete", source: "job", exitCode: 0 });
  });

  it("is not needed when the pod already told us", () => {
    const state = new JobState({ inferEndFromPod: false });
    state.onJob("ADDED", job());
    state.onPod("ADDED", pod({ phase: "Failed", containers: [terminated(5)] }));
    state.onJob("MODIFIED", job({ conditions: [jobCondition("Failed", "BackoffLimitExceeded")] }));
    expect(state.needsPodSettle()).toBe(false);
    expect(state.outcome).toMatchObject({ exitCode: 5 });
  });
});

describe("JobState: warnings and timeouts", () => {
  it("reports Warning Events for the Job and its pods only, once per occurrence count", () => {
    const state = new JobState();
    state.onJob("ADDED", job());
    state.onPod("ADDED", pod());
    const mount = warningEvent("FailedMount", 'secret "prompt" not found', {
      kind: "Pod",
      name: "run-1-abcde",
      uid: "pod-uid-1",
    });
    expect(state.onWarning(mount)).toMatchObject([
      { type: "warning", reason: "FailedMount", count: 1, diagnosis: { code: "mount_failed" } },
    ]);
    expect(state.onWarning(mount)).toEqual([]);
    expect(state.onWarning({ ...mount, count: 2 })).toMatchObject([{ type: "warning", count: 2 }]);
    const jobWarning = warningEvent("FailedCreate", "pods is forbidden: exceeded quota", {
      kind: "Job",
      name: "run-1",
      uid: JOB_UID,
    });
    expect(state.onWarning(jobWarning)).toMatchObject([{ type: "warning", involvedObject: { kind: "Job" } }]);
    const other = warningEvent(
      "FailedMount",
      "x",
      { kind: "Pod", name: "someone-else", uid: "zzz" },
      1,
      "ev-other",
    );
    expect(state.onWarning(other)).toEqual([]);
    expect(state.diagnosis.map((d) => d.reason)).toEqual(["FailedMount", "FailedCreate"]);
  });

  it("scheduling timeout measures unscheduled time and carries the scheduler's message", () => {
    const state = new JobState({ schedulingTimeoutMs: 1_000, containerStartTimeoutMs: 5_000 }, 0);
    state.onJob("ADDED", job(), 0);
    state.onPod(
      "ADDED",
      pod({
        conditions: [
          unschedulable("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."),
        ],
      }),
      100,
    );
    expect(state.nextDeadline()).toBe(1_100);
    expect(state.checkTimeouts(1_099)).toEqual([]);
    expect(state.checkTimeouts(1_100)).toMatchObject([
      {
        type: "start-timeout",
        stage: "scheduling",
        elapsedMs: 1_000,
        diagnosis: [{ code: "unschedulable", message: expect.stringContaining("node affinity") }],
      },
    ]);
    expect(state.checkTimeouts(9_999)).toEqual([]);
  });

  it("a Job that creates no pod at all times out in the scheduling stage with its Job warnings", () => {
    const state = new JobState({ schedulingTimeoutMs: 500 }, 0);
    state.onJob("ADDED", job(), 0);
    state.onWarning(
      warningEvent("FailedCreate", "exceeded quota", { kind: "Job", name: "run-1", uid: JOB_UID }),
      10,
    );
    expect(state.checkTimeouts(500)).toMatchObject([
      { type: "start-timeout", stage: "scheduling", diagnosis: [{ reason: "FailedCreate" }] },
    ]);
  });

  it("container-start timeout counts from scheduling, separately", () => {
    const state = new JobState({ schedulingTimeoutMs: 1_000, containerStartTimeoutMs: 3_000 }, 0);
    state.onJob("ADDED", job(), 0);
    state.onPod("ADDED", pod(), 0);
    state.onPod(
      "MODIFIED",
      pod({ conditions: [scheduled], nodeName: "n", containers: [waiting("ContainerCreating")] }),
      900,
    );
    expect(state.nextDeadline()).toBe(3_900);
    expect(state.checkTimeouts(3_000)).toEqual([]);
    expect(state.checkTimeouts(3_900)).toMatchObject([
      { type: "start-timeout", stage: "container-start", elapsedMs: 3_000 },
    ]);
  });

  it("no timeout once the container runs", () => {
    const state = new JobState({ schedulingTimeoutMs: 1_000, containerStartTimeoutMs: 1_000 }, 0);
    state.onJob("ADDED", job(), 0);
    state.onPod(
      "ADDED",
      pod({ phase: "Running", nodeName: "n", conditions: [scheduled], containers: [running()] }),
      0,
    );
    expect(state.nextDeadline()).toBeUndefined();
    expect(state.checkTimeouts(60_000)).toEqual([]);
  });
});
