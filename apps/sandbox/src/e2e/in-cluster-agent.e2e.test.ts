import { join } from "node:path";
import { BatchV1Api, CoreV1Api, type V1Job, type V1Pod, Watch } from "@kubernetes/client-node";
import { HEARTBEAT_COMMENT, HEARTBEAT_DONE, HEARTBEAT_FAILED, scenarioMarker } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot, resolveLocalConfig } from "../cluster/config.js";
import type { Agent, Company, HeartbeatRun, Issue } from "../paperclip/api.js";
import { captureRenderedPage } from "../paperclip/browser.js";
import { e2eKubeConfig } from "./helpers.js";
import { deployPaperclip, FULLNAME, type InClusterPaperclip } from "./in-cluster-paperclip.js";

/**
 * A Paperclip agent in a Job (issue 14's "done when", issue 15 item 5), in the production topology: Paperclip in the
 * cluster from the chart, the adapter released to the local registry and installed by name. A claude_k8s agent hired
 * with Paperclip's default CEO instructions bundle and skills is assigned an issue; Paperclip wakes it; in its Job
 * the real claude CLI loads the Paperclip skill, reads HEARTBEAT.md beside its AGENTS.md, and through the Paperclip
 * Service with its run key checks the issue out, comments and sets it to done (the mock Anthropic API plays the
 * model, see the paperclip-heartbeat scenario). Then: the Job's inheritance from Paperclip's pod, the session resumed
 * from the workspace volume, the run page in Chromium, a cancel, and Paperclip's pod deleted mid-run.
 */
const local = process.env.SANDBOX_PROVIDER === "local";
const config = resolveLocalConfig();
const REPORTS = join(findRepoRoot(process.cwd()), "reports");
const CLAUDE_IMAGE = process.env.E2E_CLAUDE_IMAGE ?? "localhost/paperclip-claude:2.1.330";
const PULL_SECRET = "e2e-inherited-pull";
const TOLERATION = { key: "e2e.paperclip.dev/inherited", operator: "Exists", effect: "NoSchedule" };
const RUN_TIMEOUT_MS = 240_000;
const log = (line: string) => process.stderr.write(`[in-cluster-agent] ${line}\n`);

/** The agent's adapter config: the claude image, and the mock Anthropic API whose scenario the key's marker selects. */
function agentConfig(mockUrl: string, scenario: string): Record<string, unknown> {
  return {
    image: CLAUDE_IMAGE,
    env: {
      ANTHROPIC_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: `sk-ant-e2e-${scenario}`,
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
    },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
  };
}

describe.skipIf(!local)("a claude_k8s Paperclip agent at work in the cluster", () => {
  const kc = e2eKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  let pc: InClusterPaperclip;
  let company: Company;
  let ceo: Agent;
  let issue: Issue;
  let first: HeartbeatRun;
  const jobPods = new Map<string, V1Pod>();
  let stopWatch: (() => void) | undefined;

  beforeAll(async () => {
    pc = await deployPaperclip({
      kc,
      config,
      podHost: process.env.SANDBOX_POD_HOST as string,
      namespacePrefix: "agent",
      mock: { defaultScenario: "success", recordAnnounced: true },
      // Paperclip's pod carries a pull secret and a toleration: its agents' Jobs inherit them.
      sets: [`imagePullSecrets[0].name=${PULL_SECRET}`, ...tolerationSets()],
      beforeInstall: async (namespace) => {
        await core.createNamespacedSecret({
          namespace,
          body: {
            metadata: { name: PULL_SECRET },
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": JSON.stringify({ auths: {} }) },
          },
        });
      },
      log,
    });
    const watch = await new Watch(kc).watch(
      `/api/v1/namespaces/${pc.namespace}/pods`,
      { labelSelector: "job-name" },
      (_type: string, pod: V1Pod) => {
        jobPods.set(pod.metadata?.labels?.["job-name"] ?? "", pod);
      },
      () => {},
    );
    stopWatch = () => watch.abort();
    company = await pc.api.createCompany("Agents in Jobs");
  });

  afterAll(async () => {
    stopWatch?.();
    await pc?.close();
  });

  function tolerationSets(): string[] {
    return [
      `tolerations[0].key=${TOLERATION.key}`,
      `tolerations[0].operator=${TOLERATION.operator}`,
      `tolerations[0].effect=${TOLERATION.effect}`,
    ];
  }

  async function runsOf(agent: Agent): Promise<HeartbeatRun[]> {
    return pc.api.listRuns(company.id, agent.id);
  }

  /** The first run of `agent` not in `known`, once it has finished. */
  async function nextRun(agent: Agent, known: ReadonlySet<string>): Promise<HeartbeatRun> {
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const run = (await runsOf(agent)).find((r) => !known.has(r.id));
      if (run) return pc.api.waitForRun(run.id, Math.max(1000, deadline - Date.now()));
      if (Date.now() > deadline) throw new Error(`no run of ${agent.name} started`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async function logOf(run: HeartbeatRun): Promise<string> {
    return (await pc.api.runLog(run.id)).map((r) => r.chunk).join("");
  }

  it("hired with Paperclip's default CEO bundle, the agent does its assigned issue through Paperclip's API from its Job", async () => {
    ceo = await pc.api.createAgent(company.id, {
      name: "CEO in a Job",
      role: "ceo",
      adapterType: "claude_k8s",
      adapterConfig: agentConfig(pc.mock.url, scenarioMarker("paperclip-heartbeat")),
    });
    expect(ceo.adapterConfig).toMatchObject({ instructionsBundleMode: "managed" });
    expect(String(ceo.adapterConfig.instructionsFilePath)).toMatch(/\/AGENTS\.md$/);

    const skills = await pc.api.agentSkills(ceo.id);
    log(`skills screen: ${JSON.stringify(skills).slice(0, 600)}`);
    const entries = (skills.entries ?? []) as Array<{
      key?: string;
      runtimeName?: string;
      desired?: boolean;
    }>;
    expect(skills).toMatchObject({ adapterType: "claude_k8s", supported: true });
    expect(entries.find((e) => e.runtimeName === "paperclip")).toMatchObject({ desired: true });

    issue = await pc.api.createIssue(company.id, {
      title: "Say hello from the cluster",
      description: "Check out this issue, leave a comment and close it.",
      assigneeAgentId: ceo.id,
      status: "todo",
    });
    first = await nextRun(ceo, new Set());
    const runLog = await logOf(first);
    expect(first.status, `${first.error}\n${runLog.slice(-4000)}`).toBe("succeeded");
    expect(runLog).not.toContain(HEARTBEAT_FAILED);
    expect(runLog).toContain(HEARTBEAT_DONE);

    // Read back from Paperclip: the comment (quoting the sibling HEARTBEAT.md) and the status, both by the agent's run.
    const done = await pc.api.getIssue(issue.id);
    expect(done.status).toBe("done");
    const comments = await pc.api.issueComments(issue.id);
    const mine = comments.filter((c) => c.authorAgentId === ceo.id);
    log(
      `comments by the agent: ${JSON.stringify(mine.map((c) => ({ body: c.body, run: c.createdByRunId })))}`,
    );
    expect(mine.map((c) => c.body)).toContain(`${HEARTBEAT_COMMENT} HEARTBEAT.md -- CEO Heartbeat Checklist`);
    expect(mine.every((c) => c.createdByRunId === first.id)).toBe(true);

    // What the CLI in the pod announced to the model, request by request.
    const announced = pc.mock.requests.filter((r) => r.announced && r.scenario === "paperclip-heartbeat");
    expect(announced.length).toBeGreaterThanOrEqual(5);
    const firstRequest = announced[0]?.announced;
    log(`tools announced: ${firstRequest?.tools.join(", ")}`);
    expect(firstRequest?.tools).toEqual(expect.arrayContaining(["Bash", "Read", "Skill"]));
    expect(firstRequest?.text).toMatch(/paperclip/i);
    expect(firstRequest?.text).toMatch(/The above agent instructions were loaded from \/\S+\/AGENTS\.md\./);
    // Paperclip's MCP servers reached the pod (their loopback URLs moved to the Service URL) and their tools the model
    const mcp = new Set(
      announced.flatMap((r) => [
        ...(r.announced?.tools ?? []).filter((t) => t.startsWith("mcp__")),
        ...((r.announced?.text ?? "").match(/mcp__Paperclip_\w+/g) ?? []),
      ]),
    );
    log(`MCP tools announced: ${[...mcp].join(", ") || "none"}`);
    expect([...mcp].some((t) => t.startsWith("mcp__Paperclip_"))).toBe(true);
  });

  it("its Job inherited Paperclip's pull secret, toleration and workspace claim, and reached Paperclip by Service DNS", () => {
    const pod =
      [...jobPods.values()].find((p) => p.metadata?.annotations?.["paperclip.ai/run-id"] === first.id) ??
      [...jobPods.values()][0];
    expect(pod, "no Job pod seen").toBeDefined();
    const spec = pod?.spec;
    expect(spec?.imagePullSecrets).toEqual([{ name: PULL_SECRET }]);
    expect(spec?.tolerations).toEqual(expect.arrayContaining([expect.objectContaining(TOLERATION)]));
    const claims = (spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter(Boolean);
    expect(claims).toContain(`${FULLNAME}-workspace`);
    const env = spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "PAPERCLIP_API_URL")?.value).toBe(pc.serviceUrl);
    const key = env.find((e) => e.name === "PAPERCLIP_API_KEY");
    expect(key?.value).toBeUndefined();
    expect(key?.valueFrom?.secretKeyRef?.name).toBeTruthy();
  });

  it("the next wake on the issue (a board comment) resumes the session from the workspace volume", async () => {
    const known = new Set((await runsOf(ceo)).map((r) => r.id));
    // the task session the first run stored (Paperclip keys sessions by task)
    const session = (await pc.api.taskSessions(ceo.id)).find((t) => t.lastRunId === first.id);
    log(`task session of the first run: ${JSON.stringify(session)}`);
    expect(session?.taskKey).toBeTruthy();
    // A board comment reopening the issue wakes its assignee on the same task, with the same Paperclip MCP servers
    // (an on-demand wake without the issue gets fewer, which by design starts a fresh session).
    await pc.api.request("POST", `/api/issues/${issue.id}/comments`, {
      body: "One more look, please.",
      reopen: true,
    });
    const second = await nextRun(ceo, known);
    log(
      `follow-up wake: run ${second.id} ${second.status} (${second.errorCode ?? "-"}: ${second.error ?? ""})`,
    );
    const runLog = await logOf(second);
    expect(second.status, `${second.error}\n${runLog.slice(-3000)}`).toBe("succeeded");
    expect(second.sessionIdBefore).toBe(first.sessionIdAfter);
    // A resumed conversation is past the procedure's last step: the mock answers with the final text at once.
    // A fresh one would have tried to check out the done issue again and failed.
    expect(runLog).toContain(HEARTBEAT_DONE);
    expect(runLog).not.toContain(HEARTBEAT_FAILED);
  });

  it("a second issue right after: its run (same Job slot) authenticates with its own run key, not the previous run's", async () => {
    // Regression: the per-run Secret shared the slot's name; the kubelet's Secret cache served the new pod the
    // deleted Secret of the previous run, and Paperclip refused the old key (agent_jwt_run_id_mismatch).
    const known = new Set((await runsOf(ceo)).map((r) => r.id));
    const second = await pc.api.createIssue(company.id, {
      title: "And a second one",
      description: "Check it out, comment and close it.",
      assigneeAgentId: ceo.id,
      status: "todo",
    });
    const run = await nextRun(ceo, known);
    const runLog = await logOf(run);
    expect(run.status, `${run.error}\n${runLog.slice(-3000)}`).toBe("succeeded");
    expect(runLog).not.toContain(HEARTBEAT_FAILED);
    expect(runLog).toContain(HEARTBEAT_DONE);
    expect((await pc.api.getIssue(second.id)).status).toBe("done");
    const mine = (await pc.api.issueComments(second.id)).filter((c) => c.authorAgentId === ceo.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((c) => c.createdByRunId === run.id)).toBe(true);
  });

  it("the run page in Paperclip's UI shows the transcript through our ui-parser (screenshot)", async () => {
    const capture = await captureRenderedPage({
      url: `${pc.url}/${company.issuePrefix}/agents/${ceo.id}/runs/${first.id}`,
      // the tool calls, not only the run's summary (the run list shows that too): the transcript has rendered
      waitForTexts: ["succeeded", HEARTBEAT_DONE, "Paperclip Skill"],
      waitForAbsentTexts: ['"type":"assistant"', '"type":"system"'],
      screenshot: join(REPORTS, "in-cluster-agent-run.png"),
      repairParserWorker: true,
      cookie: pc.cookie,
    });
    log(`screenshot: ${capture.screenshot}`);
    expect(capture.apiResponses).toContain("200 /api/adapters/claude_k8s/ui-parser.js");
    // the parsed transcript (no raw JSON, see waitForAbsentTexts): its entries counted, the skill the CLI injected
    // rendered as a message (the later tool cards may sit in a collapsed group of the UI)
    expect(capture.text).toMatch(/Transcript \(\d+\)/);
    expect(capture.text).toContain("Paperclip Skill");
    expect(capture.text).toContain(HEARTBEAT_DONE);

    // the agent's Skills screen (what Paperclip's UI shows from our listSkills)
    const skills = await captureRenderedPage({
      url: `${pc.url}/${company.issuePrefix}/agents/${ceo.id}/skills`,
      waitForTexts: ["paperclip-create-agent"],
      screenshot: join(REPORTS, "in-cluster-agent-skills.png"),
      cookie: pc.cookie,
    });
    log(`skills screen: ${skills.screenshot}`);
    for (const name of ["paperclip", "paperclip-create-agent", "para-memory-files"])
      expect(skills.text).toContain(name);
  });

  describe("a slow agent", () => {
    let slow: Agent;
    beforeAll(async () => {
      slow = await pc.api.createAgent(company.id, {
        name: "Slow worker",
        adapterType: "claude_k8s",
        adapterConfig: agentConfig(pc.mock.url, scenarioMarker("slow", 25)),
      });
    });

    /**
     * Wakes the slow agent and waits until a new run of it streams from its Job. The run is found by its Job (any
     * run of the agent that Paperclip did not know before the wake): Paperclip may fold a wake into another queued
     * run of the agent, so the id the wake answers with is not always the one that executes.
     */
    async function startedRun(agent: Agent): Promise<{ run: HeartbeatRun; job: V1Job }> {
      const known = new Set((await runsOf(agent)).map((r) => r.id));
      const queued = await pc.api.wakeAgent(agent.id, "slow work");
      const deadline = Date.now() + RUN_TIMEOUT_MS;
      for (;;) {
        const runs = (await runsOf(agent)).filter((r) => !known.has(r.id));
        const jobs = await batch.listNamespacedJob({ namespace: pc.namespace });
        for (const run of runs) {
          const job = jobs.items.find((j) => j.metadata?.annotations?.["paperclip.ai/run-id"] === run.id);
          const running = jobPods.get(job?.metadata?.name ?? "")?.status?.phase === "Running";
          if (job && running && (await logOfId(run.id)).includes("Starting a long answer"))
            return { run, job };
        }
        if (Date.now() > deadline) {
          throw new Error(
            `the slow run's Job did not start (woken: ${queued.id} ${queued.status}; new runs: ` +
              `${JSON.stringify(runs.map((r) => [r.id, r.status, r.errorCode]))}; Jobs: ` +
              `${JSON.stringify(jobs.items.map((j) => j.metadata?.annotations?.["paperclip.ai/run-id"]))})`,
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    /** The run once Paperclip no longer calls it queued or running. */
    async function settled(runId: string, timeoutMs: number): Promise<HeartbeatRun> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await pc.api.getRun(runId);
        if (!["queued", "running"].includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after the restart`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }

    async function logOfId(runId: string): Promise<string> {
      return (await pc.api.runLog(runId).catch(() => [])).map((r) => r.chunk).join("");
    }

    async function jobGone(name: string, timeoutMs: number): Promise<number> {
      const t0 = Date.now();
      while (Date.now() - t0 < timeoutMs) {
        const jobs = await batch.listNamespacedJob({ namespace: pc.namespace });
        if (!jobs.items.some((j) => j.metadata?.name === name)) return Date.now() - t0;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`Job ${name} still there after ${timeoutMs} ms`);
    }

    it("cancel through Paperclip's API deletes the Job within seconds", async () => {
      const { run, job } = await startedRun(slow);
      const t0 = Date.now();
      await pc.api.request("POST", `/api/heartbeat-runs/${run.id}/cancel`, {});
      const gone = await jobGone(job.metadata?.name as string, 30_000);
      const ended = await pc.api.waitForRun(run.id, 30_000);
      log(`cancel: Job gone ${Date.now() - t0} ms after the request (${gone} ms watching)`);
      expect(ended.status).toBe("cancelled");
    });

    it("Paperclip's pod deleted mid-run: the run is recorded honestly, its log kept, and no Job is left unaccounted for", async () => {
      // its own agent: no cancelled run of the same agent and slot before it
      const victim = await pc.api.createAgent(company.id, {
        name: "Restart victim",
        adapterType: "claude_k8s",
        adapterConfig: agentConfig(pc.mock.url, scenarioMarker("slow", 25)),
      });
      const { run, job } = await startedRun(victim);
      const jobName = job.metadata?.name as string;
      const before = await logOfId(run.id);
      const old = pc.pod.metadata?.name as string;
      await core.deleteNamespacedPod({ namespace: pc.namespace, name: old });
      const t0 = Date.now();
      const pod = await pc.repoint(240_000);
      log(`Paperclip pod ${old} deleted; ${pod.metadata?.name} Ready after ${Date.now() - t0} ms`);
      const after = await settled(run.id, 120_000);
      const kept = await logOfId(run.id);
      log(`Paperclip recorded the interrupted run as ${after.status} (${after.errorCode}): ${after.error}`);
      // not left "running" for a run no process executes any more, and not claimed as a success
      expect(["queued", "running", "succeeded"]).not.toContain(after.status);
      expect(kept.startsWith(before.slice(0, 200))).toBe(true);
      expect(kept).toContain("Starting a long answer");

      // The Job: still there (detached on shutdown) or already gone. The agent's next run harvests it, then no Job
      // of the interrupted run is left.
      const stillThere = (await batch.listNamespacedJob({ namespace: pc.namespace })).items.some(
        (j) => j.metadata?.name === jobName,
      );
      log(`after the restart the interrupted run's Job is ${stillThere ? "still there" : "gone"}`);
      const known = new Set((await runsOf(victim)).map((r) => r.id));
      await pc.api.wakeAgent(victim.id, "after the restart");
      const next = await nextRun(victim, known);
      const nextLog = await logOf(next);
      log(`next run ${next.status}; its log mentions the old Job: ${nextLog.includes(jobName)}`);
      expect(next.status, nextLog.slice(-3000)).toBe("succeeded");
      await jobGone(jobName, 60_000);
    });
  });
});
