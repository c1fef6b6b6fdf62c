import { jobSecretNames } from "@paperclip-k8s/k8s-runtime";
import { describe, expect, it } from "vitest";
import { claudeRunning, jobExists, secretExists, waitForPod } from "./cluster.js";
import { adapterSuite, explain, spawnRun } from "./suite.js";

// Issue 12 item 3: the Secrets of a finished Job no run follows go at the next run of any agent in the namespace,
// not at the next run of the same work nor at the TTL. The Job stays, and its harvest needs no Secret.

const s = adapterSuite("ck8s-sweep");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Secrets of a finished Job whose runner is gone", () => {
  it("another agent's run deletes them and keeps the Job; the next run of the work still harvests it", async () => {
    // A Paperclip process gone while its run streams (SIGTERM: tsx relays it, and the adapter installs no handler, so
    // nothing is released): no runner, the Lease stops being renewed.
    const child = spawnRun({
      runId: "sweep-1",
      agentId: "agent-sweep",
      taskKey: "task-sweep",
      config: s.config({ promptTemplate: "[[mock:slow:8]]" }),
    });
    const pod = await waitForPod(
      s.admin,
      s.ns,
      (p) => p.metadata?.labels?.["paperclip.ai/agent-id"] === "agent-sweep" && claudeRunning(p),
    );
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    const killed = Date.now();
    const name = pod.metadata?.ownerReferences?.[0]?.name ?? "";
    let job = await jobExists(s.admin, s.ns, name);
    for (let i = 0; i < 240 && !job?.status?.conditions?.some((c) => c.type === "Complete"); i += 1) {
      await sleep(500);
      job = await jobExists(s.admin, s.ns, name);
    }
    expect(job?.status?.conditions?.some((c) => c.type === "Complete")).toBe(true);
    const secrets = jobSecretNames(job ?? {});
    expect(secrets.length).toBeGreaterThan(0);
    // The Lease (20 s after its last renewal) has expired; the Secrets are still there.
    await sleep(Math.max(0, killed + 21_000 - Date.now()));
    for (const secret of secrets) expect(await secretExists(s.admin, s.ns, secret)).toBe(true);

    const other = s.run({
      runId: "other-1",
      agentId: "agent-other",
      config: { promptTemplate: "hi [[mock:success]]" },
    });
    const otherResult = await s.execute(other);
    expect(otherResult.exitCode, explain(otherResult, other)).toBe(0);
    expect(other.statusLines().join("\n")).toContain(
      `of finished Job ${name} of run sweep-1: no runner follows it`,
    );
    for (const secret of secrets) expect(await secretExists(s.admin, s.ns, secret)).toBe(false);
    const kept = await jobExists(s.admin, s.ns, name);
    expect(kept?.metadata?.uid).toBe(job?.metadata?.uid);
    expect(kept?.metadata?.deletionTimestamp).toBeUndefined();

    // The next run of the same work harvests the Job without its Secrets: transcript, session and cost.
    const next = s.run({
      runId: "sweep-2",
      agentId: "agent-sweep",
      taskKey: "task-sweep",
      config: { promptTemplate: "again [[mock:success]]" },
    });
    const result = await s.execute(next);
    expect(result.exitCode, explain(result, next)).toBe(0);
    const harvested = result.resultJson?.harvested as {
      runId?: string;
      costUsd?: number;
      sessionId?: string;
    };
    expect(harvested?.runId).toBe("sweep-1");
    expect(harvested?.costUsd ?? 0).toBeGreaterThan(0);
    expect(harvested?.sessionId).toBeTruthy();
    expect(next.allText()).toContain("Starting a long answer.");
    expect(await jobExists(s.admin, s.ns, name)).toBeUndefined();
  });

  s.scanForSecrets();
});
