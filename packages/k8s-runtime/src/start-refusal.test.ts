import { describe, expect, it } from "vitest";
import { diagnoseEvent, isMissingReference } from "./diagnosis.js";
import { JobState, MISSING_REFERENCE_GRACE_MS } from "./job-state.js";
import { JOB_UID, job, pod, running, scheduled, waiting, warningEvent } from "./testing/fixtures.js";

// Issue 13, finding 4: permanent Kubernetes refusals end the start at once instead of after a start timeout.

const JOB = { kind: "Job", name: "run-1", uid: JOB_UID };
const FORBIDDEN =
  'Error creating: pods "run-1-x" is forbidden: no PriorityClass with name no-such-class was found';
const MISSING_SECRET = 'secret "api-keys" not found';
const HOUR = 3_600_000;

function configError(message: string) {
  return pod({
    phase: "Pending",
    conditions: [scheduled],
    nodeName: "n",
    containers: [waiting("CreateContainerConfigError", message)],
  });
}

describe("start refusals (watch-fed, no polling)", () => {
  it("FailedCreate 'forbidden' on the Job refuses the start at once, naming the admission message", () => {
    const state = new JobState({ containerName: "claude", schedulingTimeoutMs: HOUR }, 0);
    state.onJob("ADDED", job(), 0);
    const events = state.onWarning(warningEvent("FailedCreate", FORBIDDEN, JOB), 1_000);
    expect(events.map((e) => e.type)).toEqual(["warning", "start-refused"]);
    expect(events[1]).toEqual({
      type: "start-refused",
      stage: "scheduling",
      diagnosis: [{ code: "create_forbidden", fatal: true, reason: "FailedCreate", message: FORBIDDEN }],
    });
    // Reported once, even when the controller retries.
    expect(
      state.onWarning(warningEvent("FailedCreate", FORBIDDEN, JOB, 2), 2_000).map((e) => e.type),
    ).toEqual(["warning"]);
  });

  it("an exceeded quota is not permanent: left to the scheduling timeout", () => {
    const state = new JobState({ containerName: "claude", schedulingTimeoutMs: HOUR }, 0);
    state.onJob("ADDED", job(), 0);
    const quota = 'Error creating: pods "run-1-x" is forbidden: exceeded quota: q, requested: pods=1';
    expect(state.onWarning(warningEvent("FailedCreate", quota, JOB), 1_000).map((e) => e.type)).toEqual([
      "warning",
    ]);
    expect(diagnoseEvent(warningEvent("FailedCreate", quota, JOB)).code).toBe("warning_event");
  });

  it("a Secret still missing after the grace refuses the container start; the deadline is armed, not polled", () => {
    const state = new JobState({ containerName: "claude", containerStartTimeoutMs: HOUR }, 0);
    state.onJob("ADDED", job(), 0);
    state.onPod("ADDED", configError(MISSING_SECRET), 1_000);
    expect(state.nextDeadline()).toBe(1_000 + MISSING_REFERENCE_GRACE_MS);
    expect(state.checkTimeouts(MISSING_REFERENCE_GRACE_MS).map((e) => e.type)).toEqual([]);
    const refused = state.checkTimeouts(1_000 + MISSING_REFERENCE_GRACE_MS);
    expect(refused).toMatchObject([
      {
        type: "start-refused",
        stage: "container-start",
        pod: { name: "run-1-abcde" },
        diagnosis: [
          { code: "container_config", reason: "CreateContainerConfigError", message: MISSING_SECRET },
        ],
      },
    ]);
    expect(state.checkTimeouts(2 * HOUR).map((e) => e.type)).toEqual(["start-timeout"]);
    expect(state.nextDeadline()).toBeUndefined();
  });

  it("a Secret that appears within the grace (the pod starts) is no refusal", () => {
    const state = new JobState({ containerName: "claude", containerStartTimeoutMs: HOUR }, 0);
    state.onJob("ADDED", job(), 0);
    state.onPod("ADDED", configError("couldn't find key token in Secret ns/api-keys"), 1_000);
    const started = pod({
      phase: "Running",
      conditions: [scheduled],
      nodeName: "n",
      containers: [running()],
    });
    expect(state.onPod("MODIFIED", started, 5_000).map((e) => e.type)).toEqual(["container-started"]);
    expect(state.checkTimeouts(1_000 + MISSING_REFERENCE_GRACE_MS)).toEqual([]);
  });

  it("other container config errors keep waiting for the start timeout", () => {
    const state = new JobState({ containerName: "claude", containerStartTimeoutMs: HOUR }, 0);
    state.onJob("ADDED", job(), 0);
    state.onPod("ADDED", configError("container has runAsNonRoot and image will run as root"), 1_000);
    expect(state.checkTimeouts(10 * MISSING_REFERENCE_GRACE_MS)).toEqual([]);
  });

  it("recognises the kubelet's missing-reference messages", () => {
    const d = (message: string) => ({
      code: "container_config" as const,
      fatal: false,
      reason: "x",
      message,
    });
    expect(isMissingReference(d('secret "a" not found'))).toBe(true);
    expect(isMissingReference(d('configmap "a" not found'))).toBe(true);
    expect(isMissingReference(d("couldn't find key k in Secret ns/a"))).toBe(true);
    expect(isMissingReference(d("failed to sync secret cache: timed out waiting for the condition"))).toBe(
      false,
    );
  });
});
