import type { RunLog } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import type { ClusterContext } from "./cluster.js";
import { runIdentity } from "./identity.js";
import type { RunPlan } from "./prepare.js";
import { takeSlotLease } from "./runner-lease.js";

const plan = {
  identity: runIdentity({
    runId: "r2",
    agentId: "a",
    agentName: "A",
    companyId: "c",
    taskKey: null,
    sessionId: null,
    scope: "agent",
  }),
} as unknown as RunPlan;

type Answer = { outcome: "held"; renewedAt: string } | { outcome: "acquired" };

/** A cluster whose Lease answers follow a script (the last answer repeats). */
function scripted(answers: Answer[]) {
  let calls = 0;
  const lease = { release: async () => {} };
  const cluster = {
    acquireJobLease: async () => {
      const a = answers[Math.min(calls++, answers.length - 1)] as Answer;
      return a.outcome === "held"
        ? { outcome: "held", current: { holder: "other/1/r1", renewedAt: a.renewedAt, gone: false } }
        : { outcome: "acquired", lease, previous: { holder: "other/1/r1", renewedAt: "t0", gone: true } };
    },
  } as unknown as ClusterContext;
  const lines: string[] = [];
  const log = { status: async (l: string) => void lines.push(l) } as unknown as RunLog;
  return { cluster, log, lines, lease, calls: () => calls };
}

describe("takeSlotLease", () => {
  it("refuses at once when the holder renews its Lease (a live runner: nothing created, nothing booked)", async () => {
    const s = scripted([
      { outcome: "held", renewedAt: "t0" },
      { outcome: "held", renewedAt: "t1" },
    ]);
    await expect(takeSlotLease(s.cluster, plan, "r2", s.log, 1)).rejects.toMatchObject({
      code: "k8s_concurrent_run_blocked",
    });
    expect(s.calls()).toBe(2);
  });

  it("waits for the Lease of a runner that stopped renewing (a crashed Paperclip) to expire, then takes it over", async () => {
    const s = scripted([
      { outcome: "held", renewedAt: "t0" },
      { outcome: "held", renewedAt: "t0" },
      { outcome: "held", renewedAt: "t0" },
      { outcome: "acquired" },
    ]);
    expect(await takeSlotLease(s.cluster, plan, "r2", s.log, 1)).toBe(s.lease);
    expect(s.lines.some((l) => l.includes("its runner is gone"))).toBe(true);
  });
});
