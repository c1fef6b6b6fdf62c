import { describe, expect, it, vi } from "vitest";
import { claudeRunning, jobExists, secretExists, shippedRoleKubeconfig, waitForPod } from "./cluster.js";
import { events, type RunInput } from "./harness.js";
import { adapterSuite, explain, jobOf, secretsOf, spawnRun } from "./suite.js";

// Cancel, the one-live-Job-per-slot rule, a Paperclip shutdown leaving its Job for the next run to adopt, a
// half-created Job replaced, and the live-Job check failing closed.

const s = adapterSuite("ck8s-life");

describe("claude_k8s run lifecycle on a real cluster (shipped Role, Pod Security restricted)", () => {
  it("cancel deletes the Job and its Secret", async () => {
    const r = s.run({
      runId: "cancel",
      agentId: "agent-cancel",
      config: { promptTemplate: "[[mock:slow:120]]" },
    });
    const pending = s.execute(r);
    await r.waitForStatus(/claude started/);
    const started = Date.now();
    r.abort.abort();
    const result = await pending;
    const elapsedMs = Date.now() - started;
    expect(result).toMatchObject({
      exitCode: null,
      signal: "SIGTERM",
      errorCode: "cancelled",
      timedOut: false,
    });
    // Acknowledged to Paperclip (its cancel API answers 409 otherwise), only once the Job and Secrets are gone.
    expect(result.resultJson?.executionCancellation).toMatchObject({ state: "acknowledged" });
    const job = jobOf(result);
    expect(await jobExists(s.admin, s.ns, job)).toBeUndefined();
    for (const secret of secretsOf(result)) expect(await secretExists(s.admin, s.ns, secret)).toBe(false);
    console.info(`cancel: execute() settled ${elapsedMs} ms after abort, Job and Secret deleted`);
  });

  it("blocks a second live run of the same agent, in this process and from another process", async () => {
    const a = s.run({
      runId: "conc-a",
      agentId: "agent-conc",
      taskKey: "task-a",
      config: { promptTemplate: "[[mock:slow:120]]" },
    });
    const pendingA = s.execute(a);
    await a.waitForStatus(/claude started/);

    const sameProcess = await s.execute(s.run({ runId: "conc-b", agentId: "agent-conc", taskKey: "task-b" }));
    expect(sameProcess.errorCode).toBe("k8s_concurrent_run_blocked");

    vi.resetModules();
    const otherProcess = (await import("../index.js")).createServerAdapter();
    const fromOther = await s.execute(
      s.run({ runId: "conc-c", agentId: "agent-conc", taskKey: "task-c" }),
      otherProcess,
    );
    expect(fromOther.errorCode).toBe("k8s_concurrent_run_blocked");
    expect(fromOther.errorMessage).toContain("conc-a");

    const jobs = await s.admin.batch.listNamespacedJob({
      namespace: s.ns,
      labelSelector: "paperclip.ai/agent-id=agent-conc",
    });
    expect(jobs.items).toHaveLength(1);
    a.abort.abort();
    expect((await pendingA).errorCode).toBe("cancelled");
  });

  it("a Paperclip shutdown leaves the Job running; the next run of the same agent, task and session adopts it", async () => {
    const input: RunInput = {
      runId: "crash-1",
      agentId: "agent-adopt",
      taskKey: "task-adopt",
      config: s.config({ promptTemplate: "[[mock:slow:25]]" }),
    };
    const child = spawnRun(input);
    const pod = await waitForPod(
      s.admin,
      s.ns,
      (p) => p.metadata?.labels?.["paperclip.ai/agent-id"] === "agent-adopt" && claudeRunning(p),
    );
    // Paperclip shutting down: SIGTERM. The adapter installs no signal handler, so the Job must be left running.
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    const uid = pod.metadata?.ownerReferences?.[0]?.uid;
    const left = await s.admin.batch.readNamespacedJob({
      name: pod.metadata?.ownerReferences?.[0]?.name ?? "",
      namespace: s.ns,
    });
    expect(left.metadata?.uid).toBe(uid);
    expect(left.metadata?.deletionTimestamp).toBeUndefined();

    vi.resetModules();
    const restarted = (await import("../index.js")).createServerAdapter();
    const r = s.run({
      runId: "crash-2",
      agentId: "agent-adopt",
      taskKey: "task-adopt",
      config: { promptTemplate: "[[mock:slow:25]]" },
    });
    const result = await s.execute(r, restarted);
    expect(r.statusLines().some((l) => l.includes("adopted running Job") && l.includes(uid ?? "?"))).toBe(
      true,
    );
    expect(result.exitCode).toBe(0);
    expect(result.resultJson?.kubernetes).toMatchObject({ adopted: true, jobUid: uid });
    const ev = events(r);
    expect(ev[0]).toMatchObject({ type: "system", subtype: "init" });
    expect(ev.at(-1)).toMatchObject({ type: "result", subtype: "success" });
  });

  it("a lost lease detaches: the Job is left running and the next run of the same work adopts it", async () => {
    const first = s.run({
      runId: "lease-1",
      agentId: "agent-lease",
      taskKey: "task-lease",
      config: { promptTemplate: "[[mock:slow:25]]" },
    });
    const pending = s.execute(first);
    await first.waitForStatus(/claude started/);
    // What Paperclip's server aborts the run with when its controller lease is lost (shutdown, rolling update).
    first.abort.abort(new Error("Legacy controller lease lost"));
    const detached = await pending;
    expect(detached, explain(detached, first)).toMatchObject({
      exitCode: null,
      errorCode: "adapter_run_detached",
    });
    expect(detached.resultJson?.executionCancellation).toBeUndefined();
    const name = jobOf(detached);
    const left = await jobExists(s.admin, s.ns, name);
    expect(left?.metadata?.deletionTimestamp).toBeUndefined();
    for (const secret of secretsOf(detached)) expect(await secretExists(s.admin, s.ns, secret)).toBe(true);
    expect(
      first.chunks.some((c) => c.stream === "stderr" && c.chunk.includes(`left Job ${name} running`)),
    ).toBe(true);

    const next = s.run({
      runId: "lease-2",
      agentId: "agent-lease",
      taskKey: "task-lease",
      config: { promptTemplate: "[[mock:slow:25]]" },
    });
    const result = await s.execute(next);
    expect(result.exitCode, explain(result, next)).toBe(0);
    expect(result.resultJson?.kubernetes).toMatchObject({ adopted: true, jobUid: left?.metadata?.uid });
  });

  it("replaces a Job a crashed launch left without its Secret instead of adopting it", async () => {
    const r = s.run({
      runId: "half-2",
      agentId: "agent-half",
      config: { promptTemplate: "hi [[mock:success]]" },
    });
    const { parseConfig } = await import("../config.js");
    const { connect } = await import("../cluster.js");
    const { prepareRun } = await import("../prepare.js");
    const parsed = parseConfig(r.ctx.config).config;
    const cluster = await connect(parsed);
    const crashed = await prepareRun({ ...r.ctx, runId: "half-1" }, parsed, cluster);
    const orphan = await s.admin.batch.createNamespacedJob({ namespace: s.ns, body: crashed.job });
    // Only a Job this old without its Secret counts as half-created (a younger one may be mid-launch).
    await new Promise((resolve) => setTimeout(resolve, 31_000));
    const result = await s.execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(r.statusLines().some((l) => l.includes("never started and lacks its Secret"))).toBe(true);
    const k8s = result.resultJson?.kubernetes as { jobUid?: string; adopted?: boolean } | undefined;
    expect(k8s?.adopted).toBe(false);
    expect(k8s?.jobUid).not.toBe(orphan.metadata?.uid);
  });

  it("fails closed when the live-Job check cannot be answered, creating nothing", async () => {
    const noList = await shippedRoleKubeconfig(s.admin, s.ns, "nolist", [{ resource: "jobs", verb: "list" }]);
    const r = s.run({
      runId: "closed",
      agentId: "agent-closed",
      config: { kubeconfig: noList, promptTemplate: "hi [[mock:success]]" },
    });
    const result = await s.execute(r);
    expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_concurrency_check_failed" });
    expect(result.errorMessage).toContain("403");
    const jobs = await s.admin.batch.listNamespacedJob({
      namespace: s.ns,
      labelSelector: "paperclip.ai/agent-id=agent-closed",
    });
    expect(jobs.items).toEqual([]);
    expect(r.dispatched).toBe(0);
  });

  s.scanForSecrets();
});
