import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { findHarvestable } from "./harvest.js";
import { ANNOTATIONS, runIdentity } from "./identity.js";
import type { RunPlan } from "./prepare.js";

const identity = runIdentity({
  runId: "run-2",
  agentId: "agent-1",
  agentName: "A",
  companyId: "c",
  taskKey: "task-1",
  sessionId: null,
  scope: "agent",
});
const plan = { identity } as unknown as RunPlan;

function finishedJob(annotations: Record<string, string> = {}): V1Job {
  return {
    metadata: {
      name: identity.jobName,
      uid: "u1",
      labels: { ...identity.labels },
      annotations: { ...identity.annotations, [ANNOTATIONS.runId]: "run-1", ...annotations },
    },
    status: { conditions: [{ type: "Complete", status: "True" }], succeeded: 1 },
  };
}

describe("findHarvestable", () => {
  it("finds a finished Job of the same work that no run booked", () => {
    expect(findHarvestable([finishedJob()], plan)?.metadata?.uid).toBe("u1");
  });

  it("never harvests a Job its run followed to the end and kept (it is booked: harvesting would book it twice)", () => {
    expect(findHarvestable([finishedJob({ [ANNOTATIONS.bookedBy]: "run-1" })], plan)).toBeUndefined();
  });

  it("leaves running Jobs and Jobs of other work alone", () => {
    const running = { ...finishedJob(), status: { active: 1 } };
    const other = finishedJob();
    other.metadata = {
      ...other.metadata,
      labels: { ...other.metadata?.labels, "paperclip.ai/task": "other" },
    };
    expect(findHarvestable([running, other], plan)).toBeUndefined();
  });
});
