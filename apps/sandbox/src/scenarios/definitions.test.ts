import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { SCENARIO_NAMES, SCENARIOS, type ScenarioState } from "./definitions.js";

const images = { tools: "localhost/paperclip-tools:1" };
const state = (pod: V1Pod | undefined, extra: Partial<ScenarioState> = {}): ScenarioState => ({
  job: undefined,
  pods: pod ? [pod] : [],
  events: [],
  now: new Date("2026-01-01T00:01:00Z"),
  ...extra,
});

describe("scenario Jobs", () => {
  it.each(SCENARIO_NAMES)("%s passes Pod Security restricted and never pulls the local images", (name) => {
    const job = SCENARIOS[name].job(images);
    expect(job.metadata?.name).toBe(`sc-${name}`);
    const spec = job.spec!.template.spec!;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      expect(c.imagePullPolicy).toBe("IfNotPresent");
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
    }
  });

  it("does not recognise an outcome in an empty state", () => {
    for (const name of SCENARIO_NAMES) expect(SCENARIOS[name].check(state(undefined)), name).toBeUndefined();
  });
});

describe("scenario checks", () => {
  it("crash loop needs the back-off and a previous exit", () => {
    const waiting = { waiting: { reason: "CrashLoopBackOff", message: "back-off" } };
    const pod = (last: object | undefined): V1Pod => ({
      status: {
        containerStatuses: [
          {
            name: "main",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 1,
            state: waiting,
            ...(last ? { lastState: last } : {}),
          },
        ],
      },
    });
    expect(SCENARIOS["crash-loop"].check(state(pod(undefined)))).toBeUndefined();
    expect(SCENARIOS["crash-loop"].check(state(pod({ terminated: { exitCode: 3 } })))).toEqual({
      reason: "CrashLoopBackOff",
      message: "back-off",
      exitCode: 3,
    });
  });

  it("OOMKilled is read from the current or the last state", () => {
    const pod: V1Pod = {
      status: {
        containerStatuses: [
          {
            name: "main",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 137, reason: "OOMKilled" } },
          },
        ],
      },
    };
    expect(SCENARIOS["oom-killed"].check(state(pod))).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    const errored = structuredClone(pod);
    errored.status!.containerStatuses![0]!.state = { terminated: { exitCode: 1, reason: "Error" } };
    expect(SCENARIOS["oom-killed"].check(state(errored))).toBeUndefined();
  });

  it("unschedulable requires the scheduler's reason and message", () => {
    const pod: V1Pod = {
      status: {
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/1 nodes are available: 1 Insufficient cpu.",
          },
        ],
      },
    };
    expect(SCENARIOS["unschedulable-resources"].check(state(pod))?.reason).toBe("Unschedulable");
    expect(SCENARIOS["unschedulable-node-selector"].check(state(pod))).toBeUndefined();
  });

  it("hanging waits until the container has run long enough", () => {
    const pod = (startedAt: string): V1Pod => ({
      status: {
        containerStatuses: [
          {
            name: "main",
            image: "",
            imageID: "",
            ready: true,
            restartCount: 0,
            state: { running: { startedAt: new Date(startedAt) } },
          },
        ],
      },
    });
    expect(SCENARIOS.hanging.check(state(pod("2026-01-01T00:00:55Z")))).toBeUndefined();
    expect(SCENARIOS.hanging.check(state(pod("2026-01-01T00:00:30Z")))?.reason).toBe("Running");
  });

  it("deadline exceeded reads the Job's Failed condition", () => {
    const job = {
      status: { conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "m" }] },
    };
    expect(SCENARIOS["deadline-exceeded"].check(state(undefined, { job }))).toEqual({
      reason: "DeadlineExceeded",
      message: "m",
    });
  });

  it("FailedMount matches only events about the scenario's pod", () => {
    const pod: V1Pod = { metadata: { name: "p1" } };
    const ev = (name: string) => ({
      metadata: {},
      involvedObject: { name },
      reason: "FailedMount",
      message: "secret x not found",
    });
    expect(SCENARIOS["failed-mount-secret"].check(state(pod, { events: [ev("other")] }))).toBeUndefined();
    expect(SCENARIOS["failed-mount-secret"].check(state(pod, { events: [ev("p1")] }))?.reason).toBe(
      "FailedMount",
    );
  });
});
