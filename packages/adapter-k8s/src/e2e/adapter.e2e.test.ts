import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeClients } from "@paperclip-k8s/k8s-runtime";
import type { AdapterExecutionResult, ServerAdapterModule } from "@paperclip-k8s/run-core";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServerAdapter } from "../index.js";
import {
  adminClients,
  BRIDGE_HOST,
  CLAUDE_IMAGE,
  claudeRunning,
  createRestrictedNamespace,
  createRwxClaim,
  deleteNamespace,
  deletePersistentVolume,
  jobExists,
  namespaceDump,
  secretExists,
  serviceAccountDir,
  shippedRoleKubeconfig,
  waitForPod,
  waitUntilPodsGone,
} from "./cluster.js";
import { events, FaultProxy, type RecordedRun, type RunInput, recordedRun } from "./harness.js";

const API_KEY = "sk-ant-e2e-NEVER-IN-A-POD-SPEC-4f1c9a";
const NS = `ck8s-e2e-${Date.now().toString(36)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let admin: KubeClients;
let mock: MockAnthropic;
let kubeconfig: string;
let hostDir: string;
const adapter: ServerAdapterModule = createServerAdapter();
/** Every run of the suite, for the final no-secret-literal scan. */
const allRuns: RecordedRun[] = [];

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace: NS,
    kubeconfig,
    image: CLAUDE_IMAGE,
    env: {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: API_KEY,
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_ERROR_REPORTING: "1",
      // A transient hiccup between the CLI and the mock is retried by the CLI, not failed: these tests are about
      // the adapter, and the shape comparison below ignores the CLI's api_retry events.
      CLAUDE_CODE_MAX_RETRIES: "2",
    },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
    ...(extra.workspaceMode === "emptyDir" ? {} : { workspaceClaimName: "workspace" }),
    paperclipApiUrl: `http://${BRIDGE_HOST}:3100`,
    keepaliveSec: 5,
    ...extra,
  };
}

function run(input: Omit<RunInput, "config"> & { config?: Record<string, unknown> }): RecordedRun {
  const r = recordedRun({ ...input, config: config(input.config) });
  allRuns.push(r);
  return r;
}

/** Every result of the suite, for the same scan. */
const allResults: AdapterExecutionResult[] = [];

async function execute(
  r: RecordedRun,
  module: ServerAdapterModule = adapter,
): Promise<AdapterExecutionResult> {
  const result = await module.execute(r.ctx);
  allResults.push(result);
  return result;
}

beforeAll(async () => {
  admin = adminClients();
  await createRestrictedNamespace(admin, NS);
  hostDir = await mkdtemp(join(tmpdir(), "ck8s-e2e-ws-"));
  await chmod(hostDir, 0o777);
  await createRwxClaim(admin, NS, "workspace", hostDir);
  kubeconfig = await shippedRoleKubeconfig(admin, NS, "paperclip");
  mock = await startMockAnthropic({ host: BRIDGE_HOST, port: 0, log: (line) => console.error(line) });
});

afterAll(async () => {
  await mock?.close();
  if (admin) {
    await deleteNamespace(admin, NS);
    await deletePersistentVolume(admin, NS, "workspace");
  }
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
});

describe("claude_k8s on a real cluster (shipped Role, Pod Security restricted)", () => {
  it("runs claude in a Job, reports usage and session, cleans up, and resumes the session next run", async () => {
    const first = run({
      runId: "resume-1",
      agentId: "agent-resume",
      taskKey: "task-1",
      config: { promptTemplate: "Say hello [[mock:success]]" },
    });
    const r1 = await execute(first);
    expect(r1).toMatchObject({
      exitCode: 0,
      timedOut: false,
      usageBasis: "per_run",
      billingType: "api",
      provider: "anthropic",
    });
    expect(r1.errorCode ?? null).toBeNull();
    expect(r1.sessionId).toMatch(UUID);
    expect(r1.sessionParams).toMatchObject({
      sessionId: r1.sessionId,
      cwd: "/paperclip/workspaces/agent-resume",
    });
    expect(r1.usage?.inputTokens).toBeGreaterThan(0);
    expect(r1.costUsd).toBeGreaterThan(0);
    expect(r1.summary).toContain("Hello from the mock");
    const ev1 = events(first);
    expect(ev1[0]).toMatchObject({ type: "system", subtype: "init", session_id: r1.sessionId });
    expect(ev1.at(-1)).toMatchObject({ type: "result", subtype: "success" });
    expect(first.dispatched).toBe(1);
    expect(JSON.stringify(first.meta)).toContain("REDACTED");
    const jobName = jobOf(r1);
    expect(await jobExists(admin, NS, jobName)).toBeUndefined();
    expect(await secretExists(admin, NS, jobName)).toBe(false);
    // Deleted with propagation Background: its pod goes too (an orphaning delete would leave it behind).
    await waitUntilPodsGone(admin, NS, `paperclip.ai/run-id=resume-1`);

    const second = run({
      runId: "resume-2",
      agentId: "agent-resume",
      taskKey: "task-1",
      sessionParams: r1.sessionParams ?? null,
      config: { promptTemplate: "And again [[mock:success]]" },
    });
    const r2 = await execute(second);
    expect(r2.exitCode).toBe(0);
    expect((second.meta[0] as { commandArgs: string[] }).commandArgs).toEqual(
      expect.arrayContaining(["--resume", r1.sessionId]),
    );
    expect(r2.sessionId).toBe(r1.sessionId);
    expect(events(second)[0]).toMatchObject({ type: "system", subtype: "init", session_id: r1.sessionId });
  });

  it("retries once with a fresh session when the stored session is unknown to the CLI", async () => {
    const stale = "00000000-1111-4222-8333-444444444444";
    const r = run({
      runId: "unknown-session",
      agentId: "agent-unknown",
      sessionParams: { sessionId: stale, cwd: "/paperclip/workspaces/agent-unknown" },
      config: { promptTemplate: "hello [[mock:success]]" },
    });
    const result = await execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(result.sessionId).toMatch(UUID);
    expect(result.sessionId).not.toBe(stale);
    expect(r.statusLines().some((l) => l.includes(`session ${stale} is unknown`))).toBe(true);
    expect(r.meta).toHaveLength(2);
    expect((r.meta[1] as { commandArgs: string[] }).commandArgs).not.toContain("--resume");
  });

  it("sweeps finished Jobs of the agent older than orphanMaxAgeSec before the next run", async () => {
    const first = await execute(
      run({
        runId: "sweep-1",
        agentId: "agent-sweep",
        config: { retainJobs: true, promptTemplate: "hi [[mock:success]]" },
      }),
    );
    expect(first.exitCode).toBe(0);
    const kept = await jobExists(admin, NS, jobOf(first));
    expect(kept?.metadata?.uid).toBeDefined();
    // The bound is an age (from the Job's completionTime, which the Job controller may write a few seconds after
    // the pod ended on a loaded machine): let the retained Job grow well older than it.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const r = run({
      runId: "sweep-2",
      agentId: "agent-sweep",
      config: { orphanMaxAgeSec: 10, promptTemplate: "hi [[mock:success]]" },
    });
    const second = await execute(r);
    expect(second.exitCode).toBe(0);
    expect(
      r.statusLines().some((l) => l.includes(`swept finished Job ${jobOf(first)}`)),
      explain(second, r),
    ).toBe(true);
    const k8s = second.resultJson?.kubernetes as { jobUid?: string } | undefined;
    expect(k8s?.jobUid).not.toBe(kept?.metadata?.uid);
  });

  it("keeps a quiet run visibly alive with keepalive status lines", async () => {
    const r = run({
      runId: "quiet",
      agentId: "agent-quiet",
      config: { keepaliveSec: 5, promptTemplate: "[[mock:slow-tool:20]]" },
    });
    const result = await execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(r.statusLines().filter((l) => l.includes("still running")).length).toBeGreaterThanOrEqual(2);
  });

  it("delivers a prompt over 1 MiB with shell-hostile characters byte-exact on stdin, via several Secrets", async () => {
    const unit =
      "line with \\c and \\n, $(echo pwned) `id` 'single' \"double\" %s %n \t tab — ünïcødé 日本語 🚀 \u202e\n";
    const body = unit.repeat(Math.ceil((1.2 * 1024 * 1024) / Buffer.byteLength(unit)));
    const prompt = `${body}[[mock:echo]]`;
    const r = run({
      runId: "big-prompt",
      agentId: "agent-big",
      config: { promptTemplate: prompt, workspaceMode: "emptyDir", retainJobs: true },
    });
    const result = await execute(r);
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(1024 * 1024);
    expect(result.summary).toBe(`Echo: the prompt has ${prompt.trim().length} characters.`);
    const jobName = jobOf(result);
    expect(await secretExists(admin, NS, jobName)).toBe(true);
    expect(await secretExists(admin, NS, `${jobName}-p1`)).toBe(true);
    const job = await jobExists(admin, NS, jobName);
    expect(JSON.stringify(job)).not.toContain("pwned");
  });

  describe("failure classes", () => {
    it("image pull failure", async () => {
      const r = run({
        runId: "img",
        agentId: "agent-img",
        config: { image: "localhost/paperclip-claude:no-such-tag", promptTemplate: "x" },
      });
      const result = await execute(r);
      expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_image_pull_failed" });
      expect(result.errorMessage).toContain("no-such-tag");
      expect(await jobExists(admin, NS, jobOf(result))).toBeUndefined();
    });

    it("unschedulable pod", async () => {
      const r = run({
        runId: "unsched",
        agentId: "agent-unsched",
        config: {
          nodeSelector: { "e2e.paperclip/nowhere": "true" },
          podScheduleTimeoutSec: 8,
          promptTemplate: "x",
        },
      });
      const result = await execute(r);
      expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_pod_unschedulable" });
      expect(result.errorMessage).toMatch(/node/i);
    });

    it("OOMKilled", async () => {
      const r = run({
        runId: "oom",
        agentId: "agent-oom",
        config: { resources: { limits: { memory: "24Mi" } }, promptTemplate: "hello [[mock:success]]" },
      });
      const result = await execute(r);
      expect(result.errorCode).toBe("k8s_oom_killed");
      expect(result.exitCode).toBe(137);
    });

    it("evicted (workspace emptyDir over its size limit)", async () => {
      const big = "x".repeat(2 * 1024 * 1024);
      const r = run({
        runId: "evict",
        agentId: "agent-evict",
        config: {
          workspaceMode: "emptyDir",
          emptyDirSizeLimit: "1Mi",
          promptTemplate: `${big}\n[[mock:slow:90]]`,
        },
      });
      const result = await execute(r);
      expect(result.errorCode).toBe("k8s_pod_evicted");
    });

    it("deadline exceeded is a timeout", async () => {
      const r = run({
        runId: "deadline",
        agentId: "agent-deadline",
        config: { timeoutSec: 15, promptTemplate: "[[mock:slow:120]]" },
      });
      const result = await execute(r);
      expect(result).toMatchObject({ timedOut: true, errorCode: "timeout" });
    });

    it("Job deleted by someone else", async () => {
      const r = run({
        runId: "deleted",
        agentId: "agent-deleted",
        config: { promptTemplate: "[[mock:slow:120]]" },
      });
      const pending = execute(r);
      await r.waitForStatus(/claude started/);
      const created = r.statusLines().find((l) => l.includes("created Job")) ?? "";
      const name = /Job [^/]+\/(\S+)/.exec(created)?.[1] ?? "";
      await admin.batch.deleteNamespacedJob({ name, namespace: NS, propagationPolicy: "Background" });
      const result = await pending;
      expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_job_deleted" });
    });

    it("CLI-level failures keep claude-parse's classification (401, max turns)", async () => {
      const auth = await execute(
        run({ runId: "auth", agentId: "agent-auth", config: { promptTemplate: "[[mock:auth-401]]" } }),
      );
      expect(auth.errorCode).toBe("claude_auth_required");
      expect(auth.exitCode).not.toBe(0);
      const turns = await execute(
        run({
          runId: "turns",
          agentId: "agent-turns",
          config: { maxTurnsPerRun: 1, promptTemplate: "[[mock:max-turns]]" },
        }),
      );
      expect(turns).toMatchObject({ errorCode: "max_turns_exhausted", clearSession: true });
    });
  });

  it("loses and repeats no line while its API connections are cut again and again", async () => {
    const prompt = "[[mock:slow:30]]";
    const extra = {
      extraArgs: ["--include-partial-messages"],
      workspaceMode: "emptyDir",
      promptTemplate: prompt,
    };
    const baseline = run({ runId: "cuts-baseline", agentId: "agent-cuts", config: extra });
    expect((await execute(baseline)).exitCode).toBe(0);

    const server = new URL(admin.kubeConfig.getCurrentCluster()?.server ?? "");
    const proxy = await FaultProxy.start({ host: server.hostname, port: Number(server.port) });
    const cutKubeconfig = kubeconfig.replace(server.origin, `https://127.0.0.1:${proxy.port}`);
    expect(cutKubeconfig).not.toBe(kubeconfig);
    const cut = run({
      runId: "cuts",
      agentId: "agent-cuts",
      config: { ...extra, kubeconfig: cutKubeconfig },
    });
    const pending = execute(cut);
    await cut.waitForStatus(/claude started/);
    const timer = setInterval(() => proxy.cutAll(), 1000);
    const result = await pending;
    clearInterval(timer);
    await proxy.close();
    expect(result.exitCode, explain(result, cut)).toBe(0);
    expect(proxy.cuts).toBeGreaterThanOrEqual(20);
    const shape = (r: RecordedRun) =>
      events(r)
        .filter((e) => e.subtype !== "api_retry")
        .map((e) => `${e.type}/${(e.subtype as string) ?? (e.event as { type?: string })?.type ?? ""}`);
    expect(shape(cut)).toEqual(shape(baseline));
    const uuids = events(cut)
      .map((e) => e.uuid)
      .filter(Boolean);
    expect(new Set(uuids).size).toBe(uuids.length);
    console.info(`log cuts: ${proxy.cuts} cuts, ${uuids.length} events, 0 lost, 0 duplicated`);
  });

  it("cancel deletes the Job and its Secret", async () => {
    const r = run({
      runId: "cancel",
      agentId: "agent-cancel",
      config: { promptTemplate: "[[mock:slow:120]]" },
    });
    const pending = execute(r);
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
    const job = jobOf(result);
    expect(await jobExists(admin, NS, job)).toBeUndefined();
    expect(await secretExists(admin, NS, job)).toBe(false);
    console.info(`cancel: execute() settled ${elapsedMs} ms after abort, Job and Secret deleted`);
  });

  it("blocks a second live run of the same agent, in this process and from another process", async () => {
    const a = run({
      runId: "conc-a",
      agentId: "agent-conc",
      taskKey: "task-a",
      config: { promptTemplate: "[[mock:slow:120]]" },
    });
    const pendingA = execute(a);
    await a.waitForStatus(/claude started/);

    const sameProcess = await execute(run({ runId: "conc-b", agentId: "agent-conc", taskKey: "task-b" }));
    expect(sameProcess.errorCode).toBe("k8s_concurrent_run_blocked");

    vi.resetModules();
    const otherProcess = (await import("../index.js")).createServerAdapter();
    const fromOther = await execute(
      run({ runId: "conc-c", agentId: "agent-conc", taskKey: "task-c" }),
      otherProcess,
    );
    expect(fromOther.errorCode).toBe("k8s_concurrent_run_blocked");
    expect(fromOther.errorMessage).toContain("conc-a");

    const jobs = await admin.batch.listNamespacedJob({
      namespace: NS,
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
      config: config({ promptTemplate: "[[mock:slow:25]]" }),
    };
    const child = spawnRun(input);
    const pod = await waitForPod(
      admin,
      NS,
      (p) => p.metadata?.labels?.["paperclip.ai/agent-id"] === "agent-adopt" && claudeRunning(p),
    );
    // Paperclip shutting down: SIGTERM. The adapter installs no signal handler, so the Job must be left running.
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    const uid = pod.metadata?.ownerReferences?.[0]?.uid;
    const left = await admin.batch.readNamespacedJob({
      name: pod.metadata?.ownerReferences?.[0]?.name ?? "",
      namespace: NS,
    });
    expect(left.metadata?.uid).toBe(uid);
    expect(left.metadata?.deletionTimestamp).toBeUndefined();

    vi.resetModules();
    const restarted = (await import("../index.js")).createServerAdapter();
    const r = run({
      runId: "crash-2",
      agentId: "agent-adopt",
      taskKey: "task-adopt",
      config: { promptTemplate: "[[mock:slow:25]]" },
    });
    const result = await execute(r, restarted);
    expect(r.statusLines().some((l) => l.includes("adopted running Job") && l.includes(uid ?? "?"))).toBe(
      true,
    );
    expect(result.exitCode).toBe(0);
    expect(result.resultJson?.kubernetes).toMatchObject({ adopted: true, jobUid: uid });
    const ev = events(r);
    expect(ev[0]).toMatchObject({ type: "system", subtype: "init" });
    expect(ev.at(-1)).toMatchObject({ type: "result", subtype: "success" });
  });

  it("replaces a Job a crashed launch left without its Secret instead of adopting it", async () => {
    const r = run({
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
    const orphan = await admin.batch.createNamespacedJob({ namespace: NS, body: crashed.job });
    // Only a Job this old without its Secret counts as half-created (a younger one may be mid-launch).
    await new Promise((resolve) => setTimeout(resolve, 31_000));
    const result = await execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(r.statusLines().some((l) => l.includes("never started and lacks its Secret"))).toBe(true);
    const k8s = result.resultJson?.kubernetes as { jobUid?: string; adopted?: boolean } | undefined;
    expect(k8s?.adopted).toBe(false);
    expect(k8s?.jobUid).not.toBe(orphan.metadata?.uid);
  });

  it("fails closed when the live-Job check cannot be answered, creating nothing", async () => {
    const noList = await shippedRoleKubeconfig(admin, NS, "nolist", [{ resource: "jobs", verb: "list" }]);
    const r = run({
      runId: "closed",
      agentId: "agent-closed",
      config: { kubeconfig: noList, promptTemplate: "hi [[mock:success]]" },
    });
    const result = await execute(r);
    expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_concurrency_check_failed" });
    expect(result.errorMessage).toContain("403");
    const jobs = await admin.batch.listNamespacedJob({
      namespace: NS,
      labelSelector: "paperclip.ai/agent-id=agent-closed",
    });
    expect(jobs.items).toEqual([]);
    expect(r.dispatched).toBe(0);
  });

  it("testEnvironment passes with the shipped Role and names each missing permission otherwise", async () => {
    const ok = await adapter.testEnvironment({ companyId: "c", adapterType: "claude_k8s", config: config() });
    expect(ok.checks.filter((c) => c.level === "error")).toEqual([]);
    expect(ok.checks.map((c) => c.code)).toEqual(
      expect.arrayContaining(["k8s_api_reachable", "k8s_rbac", "k8s_pvc", "k8s_dry_run"]),
    );

    const crippled = await shippedRoleKubeconfig(admin, NS, "crippled", [
      { resource: "jobs", verb: "patch" },
      { resource: "secrets", verb: "delete" },
    ]);
    const bad = await adapter.testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: config({ kubeconfig: crippled }),
    });
    expect(bad.status).toBe("fail");
    const missing = bad.checks.filter((c) => c.code === "k8s_rbac_missing").map((c) => c.message);
    expect(missing).toEqual(
      expect.arrayContaining([
        expect.stringContaining("patch batch/jobs"),
        expect.stringContaining("delete secrets"),
      ]),
    );
    expect(missing).toHaveLength(2);

    await admin.core.createNamespacedResourceQuota({
      namespace: NS,
      body: { metadata: { name: "no-jobs" }, spec: { hard: { "count/jobs.batch": "0" } } },
    });
    const quota = await adapter.testEnvironment({
      companyId: "c",
      adapterType: "claude_k8s",
      config: config(),
    });
    await admin.core.deleteNamespacedResourceQuota({ name: "no-jobs", namespace: NS });
    expect(quota.checks.find((c) => c.code === "k8s_dry_run_rejected")?.message).toMatch(/quota/i);
  });

  it("inside a Paperclip pod: inherits image, pull secrets, scheduling, namespace and workspace PVC from its container", async () => {
    await admin.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: "paperclip-0" },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          imagePullSecrets: [{ name: "regcred" }],
          tolerations: [{ key: "e2e.paperclip/dedicated", operator: "Exists", effect: "NoSchedule" }],
          containers: ["mesh-sidecar", "paperclip"].map((name) => ({
            name,
            // The sidecar comes first and runs another image: inheritance must pick the container by name.
            image: name === "paperclip" ? CLAUDE_IMAGE : "localhost/paperclip-tools:1",
            command: ["sleep", "600"],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            ...(name === "paperclip" ? { volumeMounts: [{ name: "data", mountPath: "/paperclip" }] } : {}),
          })),
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: "workspace" } }],
        },
      },
    });
    const prefix = await serviceAccountDir(admin, NS, "paperclip");
    const server = new URL(admin.kubeConfig.getCurrentCluster()?.server ?? "");
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = server.hostname;
    process.env.KUBERNETES_SERVICE_PORT = server.port;
    try {
      const { createK8sExecute } = await import("../execute.js");
      const { connect } = await import("../cluster.js");
      const { defaultPrepareDeps } = await import("../prepare.js");
      const inPod = createK8sExecute({
        prepare: defaultPrepareDeps,
        connect: (c) => connect(c, { inClusterPathPrefix: prefix, podName: "paperclip-0" }),
      });
      const cfg = config({ promptTemplate: "hi [[mock:success]]", retainJobs: true });
      for (const key of ["namespace", "kubeconfig", "image", "workspaceClaimName"]) delete cfg[key];
      const r = recordedRun({ runId: "in-pod", agentId: "agent-in-pod", config: cfg });
      allRuns.push(r);
      const result = await inPod(r.ctx);
      expect(result.exitCode, explain(result, r)).toBe(0);
      expect(result.resultJson?.kubernetes).toMatchObject({ namespace: NS });
      const job = await jobExists(admin, NS, jobOf(result));
      const pod = job?.spec?.template.spec;
      expect(pod?.containers[0]?.image).toBe(CLAUDE_IMAGE);
      expect(pod?.imagePullSecrets).toEqual([{ name: "regcred" }]);
      // Admission added its default not-ready/unreachable tolerations to the Paperclip pod; those come along too.
      expect(pod?.tolerations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            key: "e2e.paperclip/dedicated",
            operator: "Exists",
            effect: "NoSchedule",
          }),
        ]),
      );
      expect(pod?.volumes?.find((v) => v.name === "workspace")?.persistentVolumeClaim?.claimName).toBe(
        "workspace",
      );
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      await rm(prefix, { recursive: true, force: true });
    }
  });

  it("never puts a secret value in a pod spec, an Event, the run log or a result", async () => {
    const dump = await namespaceDump(admin, NS);
    expect(dump).toContain("claude"); // the dump really holds the retained Job and pods
    const secrets = [API_KEY, ...allRuns.map((r) => r.ctx.authToken ?? "")].filter(Boolean);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      for (const r of allRuns) {
        expect(r.allText()).not.toContain(secret);
        expect(JSON.stringify(r.meta)).not.toContain(secret);
      }
      expect(JSON.stringify(allResults)).not.toContain(secret);
    }
  });
});

/** Failure context for assertion messages: the adapter's error and its status lines. */
function explain(result: AdapterExecutionResult, r: RecordedRun): string {
  return `${result.errorCode}: ${result.errorMessage}\n${r.statusLines().join("\n")}`;
}

function jobOf(result: AdapterExecutionResult): string {
  const k8s = result.resultJson?.kubernetes as { job?: string } | undefined;
  return k8s?.job ?? "";
}

function spawnRun(input: RunInput): ChildProcess {
  const script = fileURLToPath(new URL("./child-run.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
  return spawn(tsx, [script, JSON.stringify(input)], { stdio: ["ignore", "pipe", "inherit"] });
}
