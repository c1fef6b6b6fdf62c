import type { V1Job } from "@kubernetes/client-node";
import {
  apiError,
  type CreateOrAdoptJobOptions,
  type JobLaunchResult,
  K8sRuntimeError,
} from "@paperclip-k8s/k8s-runtime";
import type { RunLog } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { deleteRunObjects } from "./cleanup.js";
import type { ClusterContext } from "./cluster.js";
import { parseConfig } from "./config.js";
import { ClaudeK8sError } from "./errors.js";
import { launchOrAdopt, listSlotJobs, sweepFinishedJobs } from "./launch.js";
import type { RunPlan } from "./prepare.js";
import { prepareRun, runSecretBaseName } from "./prepare.js";

const forbidden = new K8sRuntimeError("k8s_api_error", "list Jobs failed: 403 Forbidden: no", {
  api: { status: 403, reason: "Forbidden", message: "jobs is forbidden" },
});

/**
 * A stand-in for k8s-runtime's Cluster (its create-or-adopt flow is tested there): records what the adapter asks
 * for and answers with `launch`.
 */
function fakeCluster(launch: (options: CreateOrAdoptJobOptions) => Promise<JobLaunchResult>) {
  const asked: CreateOrAdoptJobOptions[] = [];
  const deleted: string[] = [];
  const cluster = {
    namespace: "agents",
    ownPod: { info: undefined, reason: "test" },
    listJobs: async () => {
      throw forbidden;
    },
    createOrAdoptJob: (options: CreateOrAdoptJobOptions) => {
      asked.push(options);
      return launch(options);
    },
    deleteJob: async (job: V1Job) => {
      if (job.metadata?.name === "locked") throw forbidden;
      deleted.push(job.metadata?.name ?? "");
      return true;
    },
    deleteJobAndSecrets: async (_job: V1Job, secrets: string[]) => [
      { kind: "Secret", name: secrets[0], error: apiError(`delete Secret ${secrets[0]}`, forbidden) },
    ],
  } as unknown as ClusterContext;
  return { cluster, asked, deleted };
}

async function planFor(taskKey: string | null, runId = "run-new"): Promise<RunPlan> {
  const config = parseConfig({ image: "claude:1", workspaceMode: "emptyDir" }).config;
  return prepareRun(
    {
      runId,
      agent: { id: "agent-1", companyId: "co", name: "A", adapterType: "claude_k8s", adapterConfig: {} },
      runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey },
      config: {},
      context: {},
      onLog: async () => {},
    },
    config,
    fakeCluster(async () => ({ outcome: "blocked", jobs: [] })).cluster,
    { serverEnv: {}, readText: async () => Buffer.alloc(0) },
  );
}

function liveJobOf(plan: RunPlan): V1Job {
  return { ...plan.job, metadata: { ...plan.job.metadata, uid: "old-uid" }, status: { active: 1 } };
}

/** Records the status lines (the run log itself is tested where it lives). */
function recordingLog(): { log: RunLog; lines: string[] } {
  const lines: string[] = [];
  const log = { status: async (message: string) => void lines.push(message), flush: async () => {} };
  return { log: log as unknown as RunLog, lines };
}

describe("launchOrAdopt", () => {
  it("asks k8s-runtime for the Job with its Secret, adopting only the same agent, task and session", async () => {
    const plan = await planFor("t1");
    const { cluster, asked } = fakeCluster(async (o) => ({
      outcome: "created",
      job: { ...o.job, metadata: { ...o.job.metadata, uid: "new-uid" } },
      secretNames: o.secrets.map((s) => s.metadata?.name ?? ""),
    }));
    const { log, lines } = recordingLog();
    const launched = await launchOrAdopt(cluster, plan, [], log);
    expect(launched).toMatchObject({
      adopted: false,
      secretNames: [runSecretBaseName(plan.identity.jobName, "run-new")],
    });
    // the next run of the slot: the same Job name, never the same Secret name (the kubelet may cache a deleted one)
    const next = await planFor("t1", "run-old");
    expect(next.job.metadata?.name).toBe(plan.job.metadata?.name);
    expect(next.secrets.map((x) => x.name)).not.toContain(plan.secrets[0]?.name);
    const options = asked[0] as CreateOrAdoptJobOptions;
    expect(options.job).toBe(plan.job);
    expect(options.secrets[0]?.metadata?.labels).toEqual(plan.identity.labels);
    expect(options.isSameWork?.(liveJobOf(await planFor("t1", "run-old")))).toBe(true);
    expect(options.isSameWork?.(liveJobOf(await planFor("t2", "run-old")))).toBe(false);
    expect(options.adoption).toEqual({
      labels: { "paperclip.ai/run-id": "run-new" },
      annotations: { "paperclip.ai/run-id": "run-new" },
    });
    const old = liveJobOf(await planFor("t1", "run-old"));
    await options.onEvent?.({ type: "adopted", job: old, previous: old });
    await log.flush();
    expect(lines.join("")).toContain("adopted running Job agents/");
    expect(lines.join("")).toContain("of run run-old: same agent, task and session");
  });

  it("a blocked slot is k8s_concurrent_run_blocked naming the live Jobs", async () => {
    const plan = await planFor("t1");
    const rival = liveJobOf(await planFor("t2", "run-rival"));
    const { cluster } = fakeCluster(async () => ({ outcome: "blocked", jobs: [rival] }));
    const error = await launchOrAdopt(cluster, plan, [rival], recordingLog().log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClaudeK8sError);
    expect(error).toMatchObject({
      code: "k8s_concurrent_run_blocked",
      meta: { jobs: [rival.metadata?.name] },
      message: expect.stringContaining("(run run-rival, running)"),
    });
  });

  it("maps each failed step of create-or-adopt to its error code, keeping the server's status", async () => {
    const plan = await planFor("t1");
    const cases = [
      ["k8s_job_create_failed", "k8s_job_create_failed"],
      ["k8s_secret_create_failed", "k8s_secret_create_failed"],
      ["k8s_job_check_failed", "k8s_concurrency_check_failed"],
      ["k8s_job_adopt_failed", "k8s_concurrent_run_blocked"],
    ] as const;
    for (const [step, code] of cases) {
      const { cluster } = fakeCluster(async () => {
        throw new K8sRuntimeError(step, "create Secret x failed: 422 Invalid: bad", {
          api: { status: 422, reason: "Invalid", message: "bad" },
        });
      });
      await expect(launchOrAdopt(cluster, plan, [], recordingLog().log)).rejects.toMatchObject({
        code,
        message: "create Secret x failed: 422 Invalid: bad",
        meta: { status: 422, reason: "Invalid" },
      });
    }
  });
});

describe("slot and cleanup", () => {
  it("fails closed when the slot cannot be listed", async () => {
    const plan = await planFor("t1");
    const { cluster } = fakeCluster(async () => ({ outcome: "blocked", jobs: [] }));
    const error = await listSlotJobs(cluster, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClaudeK8sError);
    expect(error).toMatchObject({ code: "k8s_concurrency_check_failed" });
    expect((error as Error).message).toBe(
      "concurrency check (list Jobs of this agent) failed: 403 Forbidden: jobs is forbidden",
    );
  });

  it("sweeps only finished Jobs past the bound; a refused delete keeps the Job", async () => {
    const now = Date.parse("2026-01-01T01:00:00Z");
    const finished = (name: string, at: string): V1Job => ({
      metadata: { name },
      status: { completionTime: new Date(at), conditions: [{ type: "Complete", status: "True" }] },
    });
    const jobs = [
      finished("old", "2026-01-01T00:00:00Z"),
      finished("fresh", "2026-01-01T00:59:00Z"),
      finished("locked", "2026-01-01T00:00:00Z"),
      { metadata: { name: "live" }, status: { active: 1 } },
    ];
    const { cluster, deleted } = fakeCluster(async () => ({ outcome: "blocked", jobs: [] }));
    const { log, lines } = recordingLog();
    const kept = await sweepFinishedJobs(cluster, jobs, 600, log, now);
    await log.flush();
    expect(deleted).toEqual(["old"]);
    expect(kept.map((j) => j.metadata?.name)).toEqual(["fresh", "locked", "live"]);
    expect(lines.join("")).toContain("could not sweep Job locked: jobs is forbidden");
  });

  it("reports each object cleanup could not delete", async () => {
    const { cluster } = fakeCluster(async () => ({ outcome: "blocked", jobs: [] }));
    const { log, lines } = recordingLog();
    const ok = await deleteRunObjects(
      cluster,
      { job: { metadata: { name: "j" } }, adopted: false, secretNames: ["s"] },
      log,
    );
    await log.flush();
    expect(ok).toBe(false);
    expect(lines.join("")).toContain("could not delete Secret s: jobs is forbidden");
  });
});
