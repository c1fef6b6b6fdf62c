/**
 * Issue 12, a crash with no wake until the Job has finished, against the real Paperclip server: SIGKILL to the server
 * while a claude_k8s run streams, the Job runs to its end with no runner, then the server restarts and the agent is
 * woken. The next run harvests the finished Job — its transcript in the run log, its session continued, its cost
 * booked once in Paperclip's cost records — runs its own prompt, and the harvested Job and its Secrets are gone.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import type { HeartbeatRun } from "./api.js";
import { type LifecycleRig, SLOW_REPLY_START, startLifecycleRig } from "./lifecycle-rig.js";

let rig: LifecycleRig | undefined;
let unavailable = "not prepared";

beforeAll(async () => {
  const started = await startLifecycleRig({ slowSeconds: 12, log: (line) => console.log(line) });
  if ("rig" in started) rig = started.rig;
  else unavailable = started.unavailable;
});

afterAll(async () => {
  await rig?.close();
});

function requireCluster(ctx: TestContext): LifecycleRig {
  if (!rig) ctx.skip(`claude_k8s cannot run here: ${unavailable}`);
  return rig as LifecycleRig;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

describe("claude_k8s after a crash of Paperclip (SIGKILL)", () => {
  it("the next run harvests the finished Job once and runs its own prompt", async (ctx) => {
    const r = requireCluster(ctx);
    const api = () => r.paperclip.api;
    const agent = await r.createAgent("harvest agent");
    const first = await r.wake(agent, "e2e harvest: the run that is cut off");
    const before = await r.objects.waitForJob(first.id, 60_000);
    await r.waitUntilStreaming(first.id, 90_000);
    const killed = Date.now();
    r.paperclip.signal("SIGKILL");
    await r.paperclip.exited();
    // No runner: the Job runs to its end alone.
    await until("the first run's Job finished", 120_000, async () =>
      (await r.objects.of(first.id)).jobs.some((j) => j.finished) ? true : undefined,
    );
    const finishedAfterMs = Date.now() - killed;
    const { startupMs } = await r.paperclip.restart();
    const firstAfter = await api().getRun(first.id);
    console.log(
      `SIGKILL mid-run; Job finished ${finishedAfterMs} ms later; restart ${startupMs} ms; first run is ${firstAfter.status} (${firstAfter.errorCode})`,
    );
    // The next run of the agent: one the restarted server queued itself, or our wake.
    const queued = (await api().listRuns(r.company.id, agent.id)).find(
      (run) => run.id !== first.id && ["queued", "running"].includes(run.status),
    );
    const next = queued ?? (await r.wake(agent, "e2e harvest: the next wake"));
    const done: HeartbeatRun = await api().waitForRun(next.id, 240_000);
    const log = await r.logText(next.id);
    console.log(
      `next run ${next.id} (${queued ? "queued by Paperclip" : "our wake"}): ${done.status} (${done.errorCode})\n  ` +
        log
          .split("\n")
          .filter((l) => l.startsWith("[paperclip]"))
          .join("\n  "),
    );
    expect(done.status).toBe("succeeded");
    expect(log).toContain(`harvesting finished Job ${before.jobs[0]?.name} of run ${first.id}`);
    // The harvested transcript and the run's own answer: the slow reply twice.
    expect(log.split(SLOW_REPLY_START).length - 1).toBeGreaterThanOrEqual(2);
    const harvested = done.resultJson?.harvested as
      | { runId: string; sessionId: string | null; costUsd: number | null }
      | undefined;
    expect(harvested?.runId).toBe(first.id);
    expect(harvested?.sessionId).toBeTruthy();
    expect(log).toContain(`continuing the harvested session ${harvested?.sessionId}`);
    // Booked once: the agent's cost records hold the harvested cost and this run's, nothing more.
    const costs = (await api().costsByAgent(r.company.id)).find((c) => c.agentId === agent.id);
    const ownCost = Number(done.usageJson?.costUsd ?? 0);
    console.log(`costs of the agent: ${JSON.stringify(costs)}; run usage ${JSON.stringify(done.usageJson)}`);
    expect(harvested?.costUsd ?? 0).toBeGreaterThan(0);
    expect(costs?.costCents).toBe(Math.round(ownCost * 100));
    expect(ownCost).toBeGreaterThan(harvested?.costUsd ?? 0);
    // The harvested Job and its Secrets are gone; nothing of the first run is left.
    const leftovers = await r.objects.of(first.id);
    expect(leftovers.jobs).toEqual([]);
    expect(leftovers.secrets).toEqual([]);
  });
});
