import { describe, expect, it } from "vitest";
import { jobExists, secretExists, waitUntilPodsGone } from "./cluster.js";
import { events, FaultProxy, type RecordedRun } from "./harness.js";
import { adapterSuite, explain, jobOf, secretsOf, UUID } from "./suite.js";

// Success, resume, the fresh-session retry, the orphan sweep, keepalive, a prompt over 1 MiB and log connections cut
// again and again: the adapter's normal runs against the real claude image and the mock Anthropic API.

const s = adapterSuite("ck8s-runs");

describe("claude_k8s runs on a real cluster (shipped Role, Pod Security restricted)", () => {
  it("runs claude in a Job, reports usage and session, cleans up, and resumes the session next run", async () => {
    const first = s.run({
      runId: "resume-1",
      agentId: "agent-resume",
      taskKey: "task-1",
      config: { promptTemplate: "Say hello [[mock:success]]" },
    });
    const r1 = await s.execute(first);
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
      podCwd: "/paperclip/workspaces/agent-resume",
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
    expect(await jobExists(s.admin, s.ns, jobName)).toBeUndefined();
    for (const secret of secretsOf(r1)) expect(await secretExists(s.admin, s.ns, secret)).toBe(false);
    // Deleted with propagation Background: its pod goes too (an orphaning delete would leave it behind).
    await waitUntilPodsGone(s.admin, s.ns, `paperclip.ai/run-id=resume-1`);

    const second = s.run({
      runId: "resume-2",
      agentId: "agent-resume",
      taskKey: "task-1",
      sessionParams: r1.sessionParams ?? null,
      config: { promptTemplate: "And again [[mock:success]]" },
    });
    const r2 = await s.execute(second);
    expect(r2.exitCode).toBe(0);
    expect((second.meta[0] as { commandArgs: string[] }).commandArgs).toEqual(
      expect.arrayContaining(["--resume", r1.sessionId]),
    );
    expect(r2.sessionId).toBe(r1.sessionId);
    expect(events(second)[0]).toMatchObject({ type: "system", subtype: "init", session_id: r1.sessionId });
  });

  it("retries once with a fresh session when the stored session is unknown to the CLI", async () => {
    const stale = "00000000-1111-4222-8333-444444444444";
    const r = s.run({
      runId: "unknown-session",
      agentId: "agent-unknown",
      sessionParams: { sessionId: stale, cwd: "/paperclip/workspaces/agent-unknown" },
      config: { promptTemplate: "hello [[mock:success]]" },
    });
    const result = await s.execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(result.sessionId).toMatch(UUID);
    expect(result.sessionId).not.toBe(stale);
    expect(r.statusLines().some((l) => l.includes(`session ${stale} is unknown`))).toBe(true);
    expect(r.meta).toHaveLength(2);
    expect((r.meta[1] as { commandArgs: string[] }).commandArgs).not.toContain("--resume");
  });

  it("sweeps finished Jobs of the agent older than orphanMaxAgeSec before the next run", async () => {
    const first = await s.execute(
      s.run({
        runId: "sweep-1",
        agentId: "agent-sweep",
        config: { retainJobs: true, promptTemplate: "hi [[mock:success]]" },
      }),
    );
    expect(first.exitCode).toBe(0);
    const kept = await jobExists(s.admin, s.ns, jobOf(first));
    expect(kept?.metadata?.uid).toBeDefined();
    // The bound is an age (from the Job's completionTime, which the Job controller may write a few seconds after
    // the pod ended on a loaded machine): let the retained Job grow well older than it.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const r = s.run({
      runId: "sweep-2",
      agentId: "agent-sweep",
      config: { orphanMaxAgeSec: 10, promptTemplate: "hi [[mock:success]]" },
    });
    const second = await s.execute(r);
    expect(second.exitCode).toBe(0);
    expect(
      r.statusLines().some((l) => l.includes(`swept finished Job ${jobOf(first)}`)),
      explain(second, r),
    ).toBe(true);
    const k8s = second.resultJson?.kubernetes as { jobUid?: string } | undefined;
    expect(k8s?.jobUid).not.toBe(kept?.metadata?.uid);
  });

  it("keeps a quiet run visibly alive with keepalive status lines", async () => {
    const r = s.run({
      runId: "quiet",
      agentId: "agent-quiet",
      config: { keepaliveSec: 5, promptTemplate: "[[mock:slow-tool:20]]" },
    });
    const result = await s.execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(r.statusLines().filter((l) => l.includes("still running")).length).toBeGreaterThanOrEqual(2);
  });

  it("delivers a prompt over 1 MiB with shell-hostile characters byte-exact on stdin, via several Secrets", async () => {
    const unit =
      "line with \\c and \\n, $(echo pwned) `id` 'single' \"double\" %s %n \t tab — ünïcødé 日本語 🚀 \u202e\n";
    const body = unit.repeat(Math.ceil((1.2 * 1024 * 1024) / Buffer.byteLength(unit)));
    const prompt = `${body}[[mock:echo]]`;
    // A config value is capped at 64 KiB (run-core's field rule), so the big part comes from the wake context,
    // where a long issue or comment puts it, through a placeholder of the template.
    const r = s.run({
      runId: "big-prompt",
      agentId: "agent-big",
      context: { body },
      config: {
        promptTemplate: "{{ context.body }}[[mock:echo]]",
        workspaceMode: "emptyDir",
        retainJobs: true,
      },
    });
    const result = await s.execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(1024 * 1024);
    expect((r.meta[0] as { prompt?: string }).prompt).toBe(prompt);
    expect(result.summary).toBe(`Echo: the prompt has ${prompt.trim().length} characters.`);
    const jobName = jobOf(result);
    const secrets = secretsOf(result);
    expect(secrets).toEqual([secrets[0], `${secrets[0]}-p1`]);
    for (const secret of secrets) expect(await secretExists(s.admin, s.ns, secret)).toBe(true);
    const job = await jobExists(s.admin, s.ns, jobName);
    expect(JSON.stringify(job)).not.toContain("pwned");
  });

  it("loses and repeats no line while its API connections are cut again and again", async () => {
    const prompt = "[[mock:slow:30]]";
    const extra = {
      extraArgs: ["--include-partial-messages"],
      workspaceMode: "emptyDir",
      promptTemplate: prompt,
    };
    const baseline = s.run({ runId: "cuts-baseline", agentId: "agent-cuts", config: extra });
    expect((await s.execute(baseline)).exitCode).toBe(0);

    const server = new URL(s.admin.kubeConfig.getCurrentCluster()?.server ?? "");
    const proxy = await FaultProxy.start({ host: server.hostname, port: Number(server.port) });
    const cutKubeconfig = s.kubeconfig.replace(server.origin, `https://127.0.0.1:${proxy.port}`);
    expect(cutKubeconfig).not.toBe(s.kubeconfig);
    const cut = s.run({
      runId: "cuts",
      agentId: "agent-cuts",
      config: { ...extra, kubeconfig: cutKubeconfig },
    });
    const pending = s.execute(cut);
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

  s.scanForSecrets();
});
